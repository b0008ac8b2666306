"""Every figure on a report page is named in words, never by its abbreviated key."""

import pytest

from reports.filters import filters_parse
from reports.labels import LABELS, label_for
from reports.selectors import REPORTS

pytestmark = pytest.mark.django_db

HANDLING = [
    "agent_id",
    "agent",
    "segments",
    "handed_on",
    "responded_in_segment",
    "avg_response_from_assignment_s",
    "median_response_from_assignment_s",
    "resolved_in_segment",
    "avg_resolution_from_assignment_s",
    "median_resolution_from_assignment_s",
]
AI = ["band", "attempts", "resolved", "resolved_pct", "stayed_resolved", "review", "handoff"]
AI += ["action", "answers_sent", "reopened", "reopened_pct", "csat_ratings", "csat_avg"]


def shown_keys(report: dict) -> set[tuple[str, str]]:
    keys = {("", key) for key in report.get("summary") or {}}
    keys |= {("per_day", key) for row in report.get("series") or [] for key in row}
    for table, rows in report["tables"].items():
        keys.add(("", table))
        keys |= {(table, key) for row in rows for key in row}
    return keys


def test_every_key_of_every_report_has_words(routing_logs):
    missing = []
    for name, run in REPORTS.items():
        for table, key in shown_keys(run(filters=filters_parse({"days": "30"}))):
            if f"{table}.{key}" not in LABELS and key not in LABELS:
                missing.append(f"{name}: {table}.{key}")
    missing += [key for key in HANDLING + AI if key not in LABELS]
    assert missing == []


def test_labels_say_what_the_abbreviations_meant():
    assert label_for("fr_compliance_pct") == "First response within SLA"
    assert label_for("res_breached") == "Resolutions breached"
    assert label_for("key", "by_queue") == "Queue"
    assert label_for("breached", "customers") == "Tickets with an SLA breach"
    assert label_for("csat_score_s") == "Csat score"  # an unknown key is at least spelled out
