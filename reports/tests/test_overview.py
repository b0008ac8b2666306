from datetime import timedelta

import pytest

from reports.filters import filters_parse
from reports.selectors import report_overview
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _overview(api, manager, **params):
    response = api(manager).get("/api/v1/reports/overview", {"days": 30, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_summary_matches_hand_computed_figures(world, api, manager):
    summary = _overview(api, manager)["summary"]
    assert summary["tickets"] == 4
    assert summary["resolved"] == 2
    assert summary["open"] == 2
    assert summary["resolved_in_period"] == 3  # T1, T2 and the older T6
    assert summary["open_now"] == 3  # T3, T4 and the older T5
    assert (summary["fr_met"], summary["fr_breached"]) == (2, 2)
    assert summary["fr_compliance_pct"] == 50.0
    # T3's resolution clock is still running: neither met nor breached.
    assert (summary["res_met"], summary["res_breached"]) == (1, 1)
    assert summary["res_compliance_pct"] == 50.0
    assert summary["breaches"] == 3
    assert summary["avg_first_response_s"] == 7200.0  # 1 h, 3 h, 2 h
    assert summary["median_first_response_s"] == 7200.0
    assert summary["avg_resolution_s"] == 25200.0  # 4 h and 10 h
    assert summary["median_resolution_s"] == 25200.0
    assert summary["csat_avg"] == 4.0
    assert summary["csat_count"] == 2


def test_backlog_series_runs_from_the_backlog_at_the_start(world, api, manager):
    data = _overview(api, manager)
    series = {row["day"]: row for row in data["series"]}
    assert len(data["series"]) == 30
    day0 = world.base.strftime("%Y-%m-%d")
    day1 = (world.base + timedelta(days=1)).strftime("%Y-%m-%d")
    day2 = (world.base + timedelta(days=2)).strftime("%Y-%m-%d")
    assert data["series"][0]["backlog"] == 2  # T5 open, T6 not yet resolved
    assert series[day0] == {"day": day0, "created": 2, "resolved": 2, "backlog": 2}
    assert series[day1] == {"day": day1, "created": 2, "resolved": 0, "backlog": 4}
    assert series[day2] == {"day": day2, "created": 0, "resolved": 1, "backlog": 3}
    assert data["series"][-1]["backlog"] == 3


def test_breakdowns_by_queue_priority_category_channel(world, api, manager):
    tables = _overview(api, manager)["tables"]
    by_queue = {row["key"]: row for row in tables["by_queue"]}
    assert by_queue["Billing"]["tickets"] == 2
    assert by_queue["Billing"]["fr_compliance_pct"] == 50.0
    assert by_queue["Billing"]["res_compliance_pct"] == 50.0
    assert by_queue["Billing"]["median_resolution_s"] == 25200.0
    assert by_queue["Tech"]["fr_compliance_pct"] == 50.0
    assert by_queue["Tech"]["res_compliance_pct"] is None  # nothing met or breached yet
    assert by_queue["Tech"]["avg_resolution_s"] is None
    assert {row["key"]: row["tickets"] for row in tables["by_priority"]} == {
        "high": 2,
        "normal": 2,
    }
    assert {row["key"]: row["tickets"] for row in tables["by_channel"]} == {"email": 2, "web": 2}
    assert {row["key"]: row["resolved"] for row in tables["by_category"]} == {
        "Payments": 2,
        "Crashes": 0,
    }


def test_filters_narrow_every_figure(world, api, manager):
    billing = _overview(api, manager, queue="billing")["summary"]
    assert (billing["tickets"], billing["open_now"], billing["resolved_in_period"]) == (2, 1, 2)
    web = _overview(api, manager, channel="web")["summary"]
    assert (web["tickets"], web["fr_met"], web["fr_breached"]) == (2, 1, 1)
    ann = _overview(api, manager, agent=world.agents["a1"].pk)["summary"]
    assert (ann["tickets"], ann["avg_first_response_s"]) == (2, 5400.0)


def test_empty_period_has_zero_counts_and_null_rates(world, api, manager):
    data = _overview(api, manager, start="2001-01-01", end="2001-01-03")
    summary = data["summary"]
    assert summary["tickets"] == 0
    assert summary["fr_compliance_pct"] is None
    assert summary["avg_resolution_s"] is None
    assert summary["median_first_response_s"] is None
    assert [row["backlog"] for row in data["series"]] == [0, 0, 0]
    assert all(rows == [] for rows in data["tables"].values())


def test_period_edges_are_whole_days_start_inclusive_end_inclusive(world):
    day = world.base + timedelta(days=3)
    TicketFactory(created_at=day)  # first instant of the day: inside
    TicketFactory(created_at=day + timedelta(days=1))  # first instant of the next day: outside
    TicketFactory(created_at=day - timedelta(microseconds=1))  # last instant before: outside
    iso = day.date().isoformat()
    filters = filters_parse({"start": iso, "end": iso})
    assert report_overview(filters=filters)["summary"]["tickets"] == 1


def test_single_pass_and_portable_breakdowns_agree(world, monkeypatch):
    from reports.selectors import overview

    filters = filters_parse({"days": "30"})
    fast = report_overview(filters=filters)
    monkeypatch.setattr(overview, "supports_grouping_sets", lambda: False)
    portable = report_overview(filters=filters)
    assert fast["summary"] == portable["summary"]
    for name, rows in fast["tables"].items():
        assert sorted(rows, key=str) == sorted(portable["tables"][name], key=str), name
