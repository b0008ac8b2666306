"""Breach prediction: the monitor gives each open ticket a 0..1 risk from load and history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.tests.factories import AgentFactory
from sla.risk import breach_risk_refresh
from tickets.models import Status, Ticket
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


def open_ticket(queue, *, due_in=timedelta(hours=4), agent=None, age=timedelta(hours=1), **extra):
    now = timezone.now()
    extra.setdefault("status", Status.ASSIGNED if agent else Status.OPEN)
    return TicketFactory(
        queue=queue,
        assigned_agent=agent,
        created_at=now - age,
        sla_resolution_due=now + due_in,
        **extra,
    )


def risk_of(ticket) -> float:
    ticket.refresh_from_db()
    return ticket.breach_risk


def test_every_open_ticket_gets_a_risk_between_0_and_1(queue):
    # Same 24 h allowance, different ages: less time left means more risk.
    tickets = [
        open_ticket(queue, due_in=timedelta(hours=h), age=timedelta(hours=24 - h))
        for h in (-1, 1, 8, 20)
    ]
    closed = open_ticket(queue, status=Status.CLOSED)
    assert breach_risk_refresh(now=timezone.now()) == 4
    risks = [risk_of(t) for t in tickets]
    assert risks[0] == 1.0  # already past the deadline
    assert all(0 < r < 1 for r in risks[1:])
    assert risks[1] > risks[2] > risks[3]  # less time left, more risk
    assert risk_of(closed) is None


def test_overloaded_assignee_raises_risk(queue):
    busy = AgentFactory(max_tickets=2)
    idle = AgentFactory(max_tickets=20)
    on_busy = open_ticket(queue, agent=busy)
    open_ticket(queue, agent=busy)
    open_ticket(queue, agent=busy)
    on_idle = open_ticket(queue, agent=idle)
    breach_risk_refresh(now=timezone.now())
    assert risk_of(on_busy) > risk_of(on_idle)


def test_backlog_raises_risk():
    AgentFactory(max_tickets=5)
    quiet, crowded = QueueFactory(slug="quiet"), QueueFactory(slug="crowded")
    calm = open_ticket(quiet)
    busy = open_ticket(crowded)
    for _ in range(12):
        open_ticket(crowded, due_in=timedelta(days=3))
    breach_risk_refresh(now=timezone.now())
    assert risk_of(busy) > risk_of(calm)


def test_slow_history_raises_risk():
    slow, fast = QueueFactory(slug="slow"), QueueFactory(slug="fast")
    now = timezone.now()
    for queue, hours in ((slow, 10), (fast, 1)):
        for _ in range(3):
            TicketFactory(
                queue=queue,
                status=Status.RESOLVED,
                created_at=now - timedelta(days=2),
                resolved_at=now - timedelta(days=2) + timedelta(hours=hours),
            )
    on_slow, on_fast = open_ticket(slow), open_ticket(fast)
    breach_risk_refresh(now=now)
    assert risk_of(on_slow) > 0.5 > risk_of(on_fast)


def test_refresh_for_given_tickets_only(queue):
    first, second = open_ticket(queue), open_ticket(queue)
    assert breach_risk_refresh(now=timezone.now(), ticket_ids=[first.pk]) == 1
    assert risk_of(first) is not None and risk_of(second) is None
    assert Ticket.objects.filter(breach_risk__isnull=False).count() == 1
