"""Nobody free: escalate and tell managers; the sweep assigns waiting tickets later."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from agents.services import ticket_assign_waiting
from agents.tests.helpers import make_agent
from journey.pipeline import ticket_assign  # assignment, and escalation when nobody is free
from journey.services import ticket_change_status
from tickets.models import Priority, Status
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "live.realtime.publish",
        lambda event, ticket, payload=None, **_: sent.append((event, payload)),
    )
    return sent


def test_nobody_free_escalates_and_notifies_managers(
    queue, manager, published, django_capture_on_commit_callbacks
):
    make_agent(queue, is_available=False)
    ticket = TicketFactory(queue=queue)
    with django_capture_on_commit_callbacks(execute=True):
        result = ticket_assign(ticket=ticket)
    ticket.refresh_from_db()
    assert result.waiting
    assert ticket.status == Status.OPEN  # waiting, not being worked on
    assert ticket.escalation_level == 1
    assert ticket.events.get(kind="escalated").data == {"level": 1, "cause": "no_agent_free"}
    assert ticket.assigned_agent is None
    assert ("ticket.escalated", {"level": 1, "reason": "no eligible agent free"}) in published
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert ticket.subject in mail.outbox[0].subject
    # Trying again (the sweep) neither notifies again nor raises the level.
    with django_capture_on_commit_callbacks(execute=True):
        ticket_assign(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1 and len(mail.outbox) == 1


def test_sweep_assigns_most_urgent_then_oldest_when_an_agent_comes_online(queue):
    agent = make_agent(queue, is_available=False, max_tickets=2)
    now = timezone.now()
    old_low = TicketFactory(queue=queue, priority=Priority.LOW, created_at=now - timedelta(hours=5))
    old_normal = TicketFactory(queue=queue, created_at=now - timedelta(hours=3))
    new_normal = TicketFactory(queue=queue, created_at=now - timedelta(hours=1))
    new_urgent = TicketFactory(queue=queue, priority=Priority.URGENT, created_at=now)
    for ticket in (old_low, old_normal, new_normal, new_urgent):
        ticket_assign(ticket=ticket)
    assert ticket_assign_waiting() == 0

    agent.is_available = True
    agent.save()
    assert ticket_assign_waiting() == 2
    for ticket in (old_low, old_normal, new_normal, new_urgent):
        ticket.refresh_from_db()
    assert new_urgent.assigned_agent == agent and new_urgent.status == Status.ASSIGNED
    assert old_normal.assigned_agent == agent
    assert new_normal.assigned_agent is None and new_normal.escalation_level == 1
    assert old_low.assigned_agent is None


def test_resolving_a_ticket_frees_capacity_for_a_waiting_one(
    queue, manager, django_capture_on_commit_callbacks
):
    agent = make_agent(queue, max_tickets=1)
    busy = TicketFactory(queue=queue)
    ticket_assign(ticket=busy)
    waiting = TicketFactory(queue=queue)
    ticket_assign(ticket=waiting)
    waiting.refresh_from_db()
    assert waiting.assigned_agent is None
    ticket_change_status(ticket=busy, user=manager, status=Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_change_status(ticket=busy, user=manager, status=Status.RESOLVED)
    waiting.refresh_from_db()
    assert waiting.assigned_agent == agent


def test_beat_runs_the_sweep_every_minute():
    # The data migration's own function (the row itself may be gone after a flushing test).
    migration = importlib.import_module("agents.migrations.0004_waiting_sweep_schedule")
    migration.create_schedule(django_apps, None)
    migration.create_schedule(django_apps, None)
    task = PeriodicTask.objects.get(task="agents.tasks.assign_waiting_tickets")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")


def test_stored_load_follows_assignments_and_the_sweep_heals_drift(queue, manager):
    from agents.models import AgentLoad

    agent = make_agent(queue)
    first, second = TicketFactory(queue=queue), TicketFactory(queue=queue)
    ticket_assign(ticket=first)
    ticket_assign(ticket=second)
    assert AgentLoad.objects.get(agent=agent).open_tickets == 2
    ticket_change_status(ticket=first, user=manager, status=Status.IN_PROGRESS)
    ticket_change_status(ticket=first, user=manager, status=Status.RESOLVED)
    assert AgentLoad.objects.get(agent=agent).open_tickets == 1
    AgentLoad.objects.filter(agent=agent).update(open_tickets=99)
    ticket_assign_waiting()
    assert AgentLoad.objects.get(agent=agent).open_tickets == 1


def test_sweep_stops_once_the_freed_room_is_used(queue, published, monkeypatch):
    """One freed slot, many waiting tickets: one assignment, not one failed ranking per ticket."""
    from agents.services import assignment

    make_agent(queue, max_tickets=1)
    waiting = [TicketFactory(queue=queue) for _ in range(6)]
    tried = []
    real_assign = assignment.ticket_assign

    def counting_assign(**kwargs):
        tried.append(kwargs["ticket"].pk)
        return real_assign(**kwargs)

    monkeypatch.setattr(assignment, "ticket_assign", counting_assign)

    assert ticket_assign_waiting() == 1
    assert len(tried) == 1
    assert sum(t.assigned_agent_id is not None for t in _fresh(waiting)) == 1


def _fresh(tickets):
    for ticket in tickets:
        ticket.refresh_from_db()
    return tickets
