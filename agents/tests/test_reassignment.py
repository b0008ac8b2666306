"""Reassignment rules (agents/services/reassignment.py), through `journey.services.ticket_reassign`:
only to a member of the ticket's queue with room (a manager may go over capacity), and what a queue
change means for the assignee."""

import pytest

from agents.services import ticket_assign
from agents.tests.helpers import make_agent
from core.exceptions import ApplicationError, TransitionError
from journey.services import ticket_reassign
from tickets.models import Status
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


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
