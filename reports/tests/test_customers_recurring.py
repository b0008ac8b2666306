import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _get(api, manager, name, **params):
    response = api(manager).get(f"/api/v1/reports/{name}", {"days": 30, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_customer_health_worst_first(world, api, manager):
    rows = _get(api, manager, "customers")["tables"]["customers"]
    assert [row["customer_email"] for row in rows] == [
        "bob@example.com",
        "alice@example.com",
        "carol@example.com",
    ]  # dave's only ticket is old and resolved
    bob, alice, carol = rows
    # bob: 2 open (both older than 7 days), T4's first response breached → 100 − 20 − 10 − 15
    assert (bob["open"], bob["stale_open"], bob["breached"], bob["health"]) == (2, 2, 1, 55)
    # alice: T2 breached both clocks (one ticket) and was reopened once → 100 − 15 − 10
    assert (alice["breached"], alice["reopenings"], alice["health"]) == (1, 1, 75)
    assert alice["csat_avg"] == 4.0
    # carol: one stale open ticket from before the period → 100 − 10 − 5
    assert (carol["tickets"], carol["open"], carol["health"]) == (0, 1, 85)


def test_recurring_categories_and_tags_against_previous_period(world, api, manager):
    data = _get(api, manager, "recurring")
    categories = data["tables"]["categories"]
    assert [(r["name"], r["current"], r["previous"], r["growth"]) for r in categories] == [
        ("Crashes", 2, 0, 2),
        ("Payments", 2, 2, 0),
    ]
    assert categories[0]["growth_pct"] is None  # nothing to grow from
    assert categories[1]["growth_pct"] == 0.0
    tags = data["tables"]["tags"]
    assert [(r["name"], r["current"], r["previous"]) for r in tags] == [
        ("refund", 2, 1),
        ("vip", 1, 0),
    ]
    assert tags[0]["growth_pct"] == 100.0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text terms need PostgreSQL")
def test_recurring_subject_terms(world, api, manager):
    data = _get(api, manager, "recurring")
    assert data["terms_available"] is True
    terms = {row["name"]: row for row in data["tables"]["terms"]}
    assert (terms["crash"]["current"], terms["crash"]["previous"]) == (2, 0)
    assert (terms["refund"]["current"], terms["refund"]["previous"]) == (2, 1)
    assert [row["name"] for row in data["tables"]["terms"][:2]] == ["crash", "login"]


def test_recurring_empty(world, api, manager):
    data = _get(api, manager, "recurring", start="2001-01-01", end="2001-01-31")
    assert all(rows == [] for rows in data["tables"].values())


def test_csat_report(world, api, manager):
    data = _get(api, manager, "csat")
    summary = data["summary"]
    assert (summary["resolved"], summary["rated"], summary["csat_avg"]) == (2, 2, 4.0)
    assert summary["response_rate_pct"] == 100.0
    assert summary["satisfied_pct"] == 50.0
    assert [row["tickets"] for row in data["tables"]["distribution"]] == [0, 0, 1, 0, 1]
    day0 = world.base.strftime("%Y-%m-%d")
    assert {r["day"]: r["csat_avg"] for r in data["series"]}[day0] == 4.0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text terms need PostgreSQL")
def test_terms_are_sampled_and_scaled_above_the_limit(world, api, manager, monkeypatch):
    from reports.selectors import recurring

    monkeypatch.setattr(recurring, "TERMS_SAMPLE", 2)
    data = _get(api, manager, "recurring")
    assert data["terms_sampled_every"] == 3  # 6 tickets in the two periods, at most 2 parsed
    assert all(
        row["current"] % 3 == 0 and row["previous"] % 3 == 0 for row in data["tables"]["terms"]
    )
    assert data["tables"]["categories"][0]["current"] == 2  # only terms are sampled


def test_customer_health_shows_the_account_an_integration_described(world, api, manager):
    from tickets.services import customer_account_update

    customer_account_update(email="Bob@Example.com", plan="Pro", tier="gold", mrr=490)
    rows = {
        row["customer_email"]: row for row in _get(api, manager, "customers")["tables"]["customers"]
    }
    assert (rows["bob@example.com"]["plan"], rows["bob@example.com"]["tier"]) == ("Pro", "gold")
    assert rows["bob@example.com"]["mrr"] == 490.0
    assert rows["alice@example.com"]["plan"] is None  # no account described for her
