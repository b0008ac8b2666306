"""Reassignment by a person, through `tickets.services.ticket_reassign` and the pipeline hooks."""

import pytest

from agents.models import Notification, PushDevice
from agents.services import ticket_assign
from agents.tests.helpers import make_agent
from core.exceptions import ApplicationError, TransitionError
from journey.services import ticket_reassign
from tickets.models import Status
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "live.realtime.publish",
        lambda event, ticket, payload=None, **_: sent.append((event, payload)),
    )
    return sent


@pytest.fixture
def push(settings):
    settings.HELPDESK_FCM_PROJECT_ID = "demo-project"
    settings.HELPDESK_FCM_ACCESS_TOKEN = "token"


def test_reassignment_is_an_event_with_reason_and_tells_the_customer(
    ticket, agent, published, push
):
    agent.is_available = False  # the colleague doing the reassigning is not a candidate
    agent.save()
    PushDevice.objects.create(user=ticket.customer, platform="android", token="phone-1")
    first = make_agent(ticket.queue)
    ticket_assign(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.assigned_agent == first
    second = make_agent(ticket.queue)

    ticket_reassign(ticket=ticket, user=agent.user, agent=second, reason="needs a specialist")

    ticket.refresh_from_db()
    assert ticket.assigned_agent == second
    event = ticket.events.get(kind="reassigned")
    assert event.reason == "needs a specialist"
    assert event.actor == agent.user
    assert (event.before, event.after) == (first.name, second.name)
    assert event.data["from_agent_id"] == first.pk and event.data["to_agent_id"] == second.pk
    assert event.data["queue_id"] == ticket.queue_id
    assert ("ticket.reassigned", {"queue": ticket.queue.slug, "agent": second.name}) in published
    pushes = Notification.objects.filter(event="ticket.reassigned", backend="fcm")
    assert [n.recipient for n in pushes] == ["phone-1"]
    assert second.name in pushes[0].payload["body"]


def test_an_agent_cannot_overfill_a_colleague_but_a_manager_can(ticket, agent, manager):
    full = make_agent(ticket.queue, max_tickets=1)
    TicketFactory(queue=ticket.queue, assigned_agent=full, status=Status.IN_PROGRESS)
    with pytest.raises(TransitionError) as refused:
        ticket_reassign(ticket=ticket, user=agent.user, agent=full, reason="try")
    assert refused.value.status_code == 409
    ticket.refresh_from_db()
    assert ticket.assigned_agent is None

    ticket_reassign(ticket=ticket, user=manager, agent=full, reason="urgent, I know")
    ticket.refresh_from_db()
    assert ticket.assigned_agent == full
    assert ticket.status == Status.ASSIGNED
    assert ticket.events.get(kind="reassigned").data["capacity_override"] is True


def test_the_target_must_belong_to_the_tickets_queue(ticket, manager):
    outsider = make_agent(QueueFactory(slug="elsewhere"))
    with pytest.raises(ApplicationError) as refused:
        ticket_reassign(ticket=ticket, user=manager, agent=outsider, reason="wrong")
    assert refused.value.status_code == 400
    assert "agent" in refused.value.fields


def test_queue_change_reassigns_when_the_assignee_is_not_in_the_new_queue(ticket, manager):
    local = make_agent(ticket.queue)
    ticket_assign(ticket=ticket)
    billing = QueueFactory(slug="billing")
    billing_agent = make_agent(billing)

    ticket_reassign(ticket=ticket, user=manager, queue=billing, reason="billing question")

    ticket.refresh_from_db()
    assert ticket.queue == billing
    assert ticket.assigned_agent == billing_agent
    unassigned = ticket.events.get(kind="unassigned")
    assert unassigned.data["from_agent_id"] == local.pk
    assert not ticket.events.filter(kind="reassigned", field="assigned_agent").exists()


def test_queue_change_keeps_an_assignee_who_belongs_to_both(ticket, manager):
    everywhere = make_agent()  # all queues
    ticket_assign(ticket=ticket)
    ticket_reassign(ticket=ticket, user=manager, queue=QueueFactory(slug="b2"), reason="move")
    ticket.refresh_from_db()
    assert ticket.assigned_agent == everywhere
