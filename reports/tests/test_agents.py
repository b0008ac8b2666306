import pytest

pytestmark = pytest.mark.django_db


def _agents(api, manager, **params):
    response = api(manager).get("/api/v1/reports/agents", {"days": 30, **params})
    assert response.status_code == 200, response.content
    return {row["agent"]: row for row in response.json()["tables"]["agents"]}


def test_agent_metrics_are_normalised_by_category_and_priority(world, api, manager):
    rows = _agents(api, manager)
    ann, ben = rows["Ann A"], rows["Ben B"]
    assert (ann["tickets"], ann["resolved"]) == (2, 1)
    # Ann: 1 h in a (Payments, high) cell averaging 2 h; 2 h in a (Crashes, normal) cell of 2 h.
    assert ann["avg_first_response_s"] == 5400.0
    assert ann["expected_first_response_s"] == 7200.0
    assert ann["first_response_index"] == 0.75
    # Ben: 3 h against 2 h; his unanswered T4 counts in neither figure.
    assert ben["avg_first_response_s"] == 10800.0
    assert ben["first_response_index"] == 1.5
    # Resolution: 4 h and 10 h against a 7 h cell.
    assert ann["resolution_index"] == 0.57
    assert ben["resolution_index"] == 1.43
    assert ann["resolution_rate_pct"] == 50.0
    assert ann["resolution_rate_index"] == 1.0
    # Reopenings: Ben's T2 was reopened; the (Payments, high) cell reopens half its tickets.
    assert ann["reopen_rate_pct"] == 0.0
    assert ann["reopen_index"] == 0.0
    assert ben["reopen_rate_pct"] == 100.0
    assert ben["reopen_index"] == 2.0
    assert (ann["csat_avg"], ann["csat_index"]) == (5.0, 1.25)
    assert (ben["csat_avg"], ben["csat_index"]) == (3.0, 0.75)


def test_agent_filter_keeps_the_comparison_with_everyone(world, api, manager):
    rows = _agents(api, manager, agent=world.agents["a1"].pk)
    assert list(rows) == ["Ann A"]
    assert rows["Ann A"]["first_response_index"] == 0.75


def test_agents_empty_period(world, api, manager):
    assert _agents(api, manager, start="2001-01-01", end="2001-01-31") == {}
