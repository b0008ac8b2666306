"""The SLA report: compliance, and breach prediction scored against what happened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets.models import SlaState
from tickets.services.escalation import EscalationNote, tickets_escalation_notes
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def warn(ticket, clock: str, when):
    """The SLA monitor's at-risk warning for one clock, written by its own bulk writer."""
    note = EscalationNote(
        ticket_id=ticket.pk,
        level=1,
        text=f"{clock} at risk",
        data={"deadline": clock, "state": "at_risk", "minutes_left": 30},
    )
    tickets_escalation_notes(notes=[note], now=when)


@pytest.fixture
def history(db):
    """Resolution clock: 2 of 3 predicted breached (precision 66.67 %), 2 of 4 breaches predicted
    (recall 50 %). First-response clock: 1 of 1 and 1 of 2."""
    now = timezone.now()
    due = now - timedelta(days=2)
    status = {"status": "open"}

    def res(**kwargs):
        return TicketFactory(sla_resolution_due=due, created_at=due - 8 * H, **kwargs)

    r1 = res(status="resolved", resolved_at=due + H)  # warned, late: hit
    warn(r1, "resolution", due - H)
    r2 = res(status="resolved", resolved_at=due - H)  # warned, in time: false alarm
    warn(r2, "resolution", due - 2 * H)
    res(breach_risk=0.7, sla_resolution_state=SlaState.BREACHED, **status)  # risk said so: hit
    res(breach_risk=1.0, sla_resolution_state=SlaState.BREACHED, **status)  # hindsight: missed
    res(status="resolved", resolved_at=due - 3 * H, breach_risk=0.2)  # quiet and in time
    r6 = res(status="resolved", resolved_at=due + 2 * H)  # warned only after the deadline: missed
    warn(r6, "resolution", due + H)
    TicketFactory(sla_resolution_due=now + H, **status)  # not due yet: not counted

    def fr(**kwargs):
        return TicketFactory(sla_first_response_due=due, created_at=due - H, **kwargs)

    f1 = fr(first_response_at=due + H, **status)  # warned, late: hit
    warn(f1, "first_response", due - 0.5 * H)
    fr(first_response_at=due + H, **status)  # no warning, late: missed
    f3 = fr(first_response_at=due - 0.5 * H, **status)  # a resolution warning says nothing here
    warn(f3, "resolution", due - 0.7 * H)
    return now


def sla(api, manager, **params):
    response = api(manager).get("/api/v1/reports/sla", {"days": 30, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_precision_and_recall_with_the_counts_behind_them(history, api, manager):
    rows = {row["clock"]: row for row in sla(api, manager)["tables"]["prediction"]}
    assert rows["Resolution"] == {
        "clock": "Resolution",
        "decided": 6,
        "breached": 4,
        "predicted": 3,
        "predicted_and_breached": 2,
        "predicted_but_met": 1,
        "breached_unpredicted": 2,
        "precision_pct": 66.67,
        "recall_pct": 50.0,
    }
    first = rows["First response"]
    assert (first["decided"], first["breached"], first["predicted"]) == (3, 2, 1)
    assert (first["precision_pct"], first["recall_pct"]) == (100.0, 50.0)


def test_nothing_decided_is_null_not_a_division_by_zero(history, api, manager):
    rows = sla(api, manager, start="2001-01-01", end="2001-01-31")["tables"]["prediction"]
    assert [(r["decided"], r["precision_pct"], r["recall_pct"]) for r in rows] == [
        (0, None, None),
        (0, None, None),
    ]


def test_the_sla_page_shows_the_prediction_table_in_words(history, client, manager):
    client.force_login(manager)
    html = client.get("/reports/sla/?days=30").content.decode()
    for words in (
        "Breach prediction against what happened",
        "Predicted at risk",
        "Predicted and breached",
        "Precision (warnings that came true)",
        "Recall (breaches that were foreseen)",
        "First response within SLA",
        "First responses breached",
        'id="table-prediction"',
    ):
        assert words in html, words
    assert "Fr met" not in html and "Res breached" not in html
