from datetime import timedelta

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from reports.filters import filters_parse
from reports.models import DailyTicketStats
from reports.rollup import rollup_refresh
from reports.selectors import report_run

pytestmark = pytest.mark.django_db


def _live_and_rollup(world, settings):
    params = {"days": "120"}
    live = report_run(name="overview", filters=filters_parse(params))
    assert live["source"] == "tickets"  # not refreshed yet: the rollup does not cover the period
    rollup_refresh(start=(world.base - timedelta(days=120)).date())
    settings.HELPDESK_REPORTS_ROLLUP_MIN_DAYS = 60
    served = report_run(name="overview", filters=filters_parse(params))
    return live, served


def test_long_periods_come_from_the_rollup_with_the_same_figures(world, settings):
    live, served = _live_and_rollup(world, settings)
    assert served["source"] == "rollup"
    # 120 days hold T1–T6 (T5 and T6 were created 40 and 55 days ago).
    assert served["summary"]["tickets"] == live["summary"]["tickets"] == 6
    for name in (
        "resolved",
        "open",
        "fr_met",
        "fr_breached",
        "fr_compliance_pct",
        "res_met",
        "res_breached",
        "res_compliance_pct",
        "avg_first_response_s",
        "avg_resolution_s",
        "csat_avg",
        "csat_count",
        "open_now",
        "resolved_in_period",
        "breaches",
    ):
        assert served["summary"][name] == live["summary"][name], name
    assert served["summary"]["median_resolution_s"] is None  # medians are not additive
    for table, rows in live["tables"].items():
        strip = lambda r: {k: v for k, v in r.items() if not k.startswith("median")}  # noqa: E731
        assert sorted(map(str, map(strip, served["tables"][table]))) == sorted(
            map(str, map(strip, rows))
        ), table
    assert served["series"] == live["series"]


def test_short_or_filtered_periods_stay_live(world, settings):
    rollup_refresh(start=(world.base - timedelta(days=120)).date())
    settings.HELPDESK_REPORTS_ROLLUP_MIN_DAYS = 60
    assert report_run(name="overview", filters=filters_parse({"days": "30"}))["source"] == "tickets"
    filtered = report_run(name="overview", filters=filters_parse({"days": "90", "queue": "tech"}))
    assert filtered["source"] == "tickets"


def test_refresh_is_idempotent_and_covers_empty_days(world):
    start = (world.base - timedelta(days=5)).date()
    end = world.base.date() + timedelta(days=2)
    first = rollup_refresh(start=start, end=end)
    assert rollup_refresh(start=start, end=end) == first
    all_rows = DailyTicketStats.objects.filter(dimension="all")
    assert all_rows.count() == 8  # one per day, empty days included
    assert all_rows.get(day=world.base.date()).tickets == 2
    assert (
        DailyTicketStats.objects.get(
            dimension="queue",
            key=str(world.queues["tech"].pk),
            day=(world.base + timedelta(days=1)).date(),
        ).tickets
        == 2
    )


def test_command_and_beat_schedule(world):
    call_command("reports_rollup", "--all")
    assert DailyTicketStats.objects.filter(dimension="all").count() >= 56
    task = PeriodicTask.objects.get(task="reports.tasks.rollup_refresh")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "hours"
