"""Many assignments at once from separate connections: nobody over capacity, nothing twice."""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Count

from agents.tests.helpers import make_agent
from journey.pipeline import ticket_assign  # assignment, and escalation when nobody is free
from tickets.models import Status, Ticket, TicketEvent
from tickets.tests.factories import QueueFactory, TicketFactory

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_200_tickets_from_concurrent_threads_never_overfill_an_agent():
    queue = QueueFactory(slug="busy")
    agents = [make_agent(queue, max_tickets=5) for _ in range(10)]
    tickets = [TicketFactory(queue=queue, customer=None) for _ in range(200)]
    ids = [t.pk for t in tickets]
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(index: int) -> None:
        # Each ticket is attempted by two threads, in different orders.
        share = [ids[(index * 25 + k) % len(ids)] for k in range(50)]
        random.Random(index).shuffle(share)
        try:
            barrier.wait()
            for pk in share:
                ticket_assign(ticket=Ticket(pk=pk))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    loads = dict(
        Ticket.objects.filter(assigned_agent__isnull=False)
        .values_list("assigned_agent")
        .annotate(n=Count("id"))
    )
    assert set(loads) == {a.pk for a in agents}
    assert max(loads.values()) <= 5
    assert sum(loads.values()) == 50  # every slot filled, none twice

    assigned_events = dict(
        TicketEvent.objects.filter(kind="assigned").values_list("ticket").annotate(n=Count("id"))
    )
    assert all(n == 1 for n in assigned_events.values())
    for ticket in Ticket.objects.all():
        if ticket.assigned_agent_id:
            assert ticket.status == Status.ASSIGNED and assigned_events[ticket.pk] == 1
        else:
            assert ticket.status == Status.OPEN and ticket.escalation_level == 1
            assert ticket.pk not in assigned_events
    assert Ticket.objects.filter(assigned_agent=None, escalation_level=1).count() == 150
