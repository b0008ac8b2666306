"""Two monitors at the same moment: each escalation still fires exactly once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sla.monitor import sla_monitor_run
from tickets.models import Comment, Status, Ticket, TicketEvent
from tickets.tests.factories import TicketFactory

needs_server_db = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database locks whole tables across threads",
)


def _concurrent_passes(n: int = 2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(sla_monitor_run(refresh_risk=False))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@needs_server_db
@pytest.mark.django_db(transaction=True)
def test_two_monitors_fire_each_level_once(queue):
    now = timezone.now()
    breaching = [
        TicketFactory(
            queue=queue, status=Status.ASSIGNED, sla_resolution_due=now - timedelta(minutes=1)
        )
        for _ in range(40)
    ]
    at_risk = [
        TicketFactory(
            queue=queue, status=Status.OPEN, sla_resolution_due=now + timedelta(minutes=10)
        )
        for _ in range(40)
    ]
    results = _concurrent_passes()

    claimed_breach = [pk for r in results for pk in r.breached["resolution"]]
    claimed_risk = [pk for r in results for pk in r.at_risk["resolution"]]
    assert sorted(claimed_breach) == sorted(t.pk for t in breaching)  # each once, none twice
    assert sorted(claimed_risk) == sorted(t.pk for t in at_risk)
    assert Comment.objects.count() == 80
    assert TicketEvent.objects.filter(kind="escalated").count() == 80
    assert TicketEvent.objects.filter(kind="status_changed").count() == 40
    assert Ticket.objects.filter(status=Status.ESCALATED, escalation_level=2).count() == 40
    assert Ticket.objects.filter(status=Status.OPEN, escalation_level=1).count() == 40

    # And later passes find nothing left to do.
    assert not any(r.breached["resolution"] for r in _concurrent_passes())


@pytest.mark.django_db(transaction=True)
def test_a_pass_that_dies_leaves_no_trace_and_the_retry_fires(queue):
    from unittest import mock

    ticket = TicketFactory(
        queue=queue,
        status=Status.ASSIGNED,
        sla_resolution_due=timezone.now() - timedelta(minutes=1),
    )
    with mock.patch("sla.escalation.escalations_record", side_effect=RuntimeError("worker lost")):
        with pytest.raises(RuntimeError):
            sla_monitor_run(refresh_risk=False)
    ticket.refresh_from_db()
    assert (ticket.sla_resolution_state, ticket.escalation_level, ticket.status) == (
        0,
        0,
        "assigned",
    )
    assert sla_monitor_run(refresh_risk=False).breached["resolution"] == [ticket.pk]
    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.status) == (2, "escalated")
    assert Comment.objects.filter(ticket=ticket).count() == 1
