from datetime import timedelta

import pytest

from agents.models import AIResolutionAttempt

pytestmark = pytest.mark.django_db


def _routing(api, manager, **params):
    response = api(manager).get("/api/v1/reports/routing", {"days": 30, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_first_decision_stood_and_triage_rate(routing_logs, api, manager):
    data = _routing(api, manager)
    summary = data["summary"]
    # T1's first decision (billing) stood even though a later one said tech; T2's did not.
    assert (summary["decisions"], summary["stood"], summary["triaged_decisions"]) == (3, 2, 1)
    assert summary["stood_pct"] == 66.67
    assert summary["triage_pct"] == 33.33
    by_queue = {row["first_queue"]: row for row in data["tables"]["by_queue"]}
    assert (by_queue["billing"]["decisions"], by_queue["billing"]["stood_pct"]) == (1, 100.0)
    assert (by_queue["tech"]["decisions"], by_queue["tech"]["stood_pct"]) == (2, 50.0)
    by_model = {(r["source"], r["model_version"]): r for r in data["tables"]["by_model"]}
    assert by_model[("local", "3")]["stood"] == 2
    assert by_model[("claude", "claude-x")]["stood"] == 0


def test_claude_cost_per_day(routing_logs, api, manager):
    data = _routing(api, manager)
    days = {row["day"]: row for row in data["tables"]["cost_per_day"]}
    day0 = routing_logs.base.strftime("%Y-%m-%d")
    assert days[day0]["cost_usd"] == 0.0125
    assert days[day0]["claude_calls"] == 1
    assert days[day0]["input_tokens"] == 1000
    other = (routing_logs.base + timedelta(days=1)).strftime("%Y-%m-%d")
    assert days[other]["cost_usd"] == 0
    assert data["summary"]["cost_usd"] == 0.0125


def test_ai_resolution_by_confidence_band(world, api, manager):
    t = world.tickets
    AIResolutionAttempt.objects.create(
        ticket=t["t1"], source="llm", confidence=0.95, action="resolved"
    )
    AIResolutionAttempt.objects.create(
        ticket=t["t2"], source="llm", confidence=0.91, action="resolved"
    )
    AIResolutionAttempt.objects.create(
        ticket=t["t3"], source="llm", confidence=0.65, action="review"
    )
    data = _routing(api, manager)
    assert data["ai_resolution_available"] is True
    bands = {row["band"]: row for row in data["tables"]["ai_resolution"]}
    assert bands["0.9-1.0"]["attempts"] == 2
    assert bands["0.9-1.0"]["resolved_pct"] == 100.0
    assert bands["0.9-1.0"]["stayed_resolved"] == 1  # T2 was reopened
    assert (bands["0.6-0.7"]["attempts"], bands["0.6-0.7"]["resolved"]) == (1, 0)


def test_routing_report_with_no_decisions(world, api, manager):
    data = _routing(api, manager)
    assert data["summary"]["decisions"] == 0
    assert data["summary"]["stood_pct"] is None
    assert data["tables"]["by_queue"] == []


def test_ai_performance_counts_answers_sent_reopened_and_their_ratings(world, api, manager):
    from tickets.models import Ticket

    t = world.tickets
    for key, action in (("t1", "resolved"), ("t2", "resolved"), ("t3", "handoff")):
        AIResolutionAttempt.objects.create(
            ticket=t[key], source="saved_reply", confidence=0.9, action=action
        )
    AIResolutionAttempt.objects.create(
        ticket=t["t3"], source="saved_reply", confidence=0.9, action="suggestion"
    )
    Ticket.objects.filter(pk=t["t1"].pk).update(csat_score=5, reopened_count=0)
    Ticket.objects.filter(pk=t["t2"].pk).update(csat_score=2, reopened_count=1)
    rows = {row["action"]: row for row in _routing(api, manager)["tables"]["ai_performance"]}
    assert set(rows) == {"resolved", "handoff"}  # suggestions are not answers
    resolved = rows["resolved"]
    assert (resolved["attempts"], resolved["answers_sent"], resolved["reopened"]) == (2, 2, 1)
    assert (resolved["reopened_pct"], resolved["csat_ratings"], resolved["csat_avg"]) == (
        50.0,
        2,
        3.5,
    )
    assert (rows["handoff"]["answers_sent"], rows["handoff"]["reopened_pct"]) == (0, None)
