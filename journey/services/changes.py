"""People moving a ticket: reassignment (agent and/or queue, with a reason) and corrections of
what routing decided. Routing learns from both (their events); SLA deadlines follow a new queue
or priority; assignment follows a new agent or queue."""

from django.contrib.auth.models import User
from django.db import transaction

from agents import services as assignment
from agents.models import Agent
from core.exceptions import TransitionError
from live import realtime
from live.types import EventType
from routing.corrections import ticket_queue_move, ticket_routing_correct
from routing.services import routed_payload
from sla import services as sla
from tickets import services as tickets
from tickets.models import Category, Queue, Ticket

from .. import pipeline


@transaction.atomic
def ticket_reassign(
    *,
    ticket: Ticket,
    user: User,
    agent: Agent | None = None,
    queue: Queue | None = None,
    reason: str,
) -> Ticket:
    """Move a ticket to another agent and/or queue, with the reason, as an event."""
    tickets.staff_required(user)
    ticket = tickets.ticket_lock(ticket)
    if not ticket.is_open:
        raise TransitionError(f"A {ticket.status} ticket cannot be reassigned.")
    was = (ticket.queue_id, ticket.assigned_agent_id)  # their lists lose it: they hear of it
    if queue is not None and queue.pk != ticket.queue_id:
        ticket_queue_move(ticket=ticket, queue=queue, actor=user, reason=reason)
        sla.sla_deadlines_recompute(ticket=ticket, reason=f"queue {queue.slug}")
    if agent is not None:
        assignment.ticket_assign_to(ticket=ticket, agent=agent, actor=user, reason=reason)
    elif queue is not None and ticket.assigned_agent_id is not None:
        result = assignment.ticket_assign_after_queue_change(
            ticket=ticket, actor=user, reason=reason
        )
        pipeline.assignment_followed(ticket=ticket, result=result)
    realtime.publish(
        EventType.REASSIGNED,
        ticket,
        {
            "queue": ticket.queue.slug if ticket.queue else None,
            "agent": ticket.assigned_agent.name if ticket.assigned_agent else None,
        },
        was=was,
    )
    return ticket


@transaction.atomic
def ticket_correct(
    *,
    ticket: Ticket,
    user: User,
    category: Category | None = None,
    priority: str | None = None,
    queue: Queue | None = None,
    reason: str = "",
) -> Ticket:
    """An agent corrects what routing decided; the SLA deadlines follow a new priority or queue."""
    tickets.staff_required(user)
    ticket = tickets.ticket_lock(ticket)
    was = (ticket.queue_id, None)
    changes = ticket_routing_correct(
        ticket=ticket, actor=user, category=category, priority=priority, queue=queue, reason=reason
    )
    if not changes:
        return ticket
    if "priority" in changes or "queue" in changes:
        moved = [
            f"{field} {changes[field][1]}" for field in ("priority", "queue") if field in changes
        ]
        sla.sla_deadlines_recompute(ticket=ticket, reason=", ".join(moved))
    realtime.publish(
        EventType.ROUTED, ticket, {**routed_payload(ticket), "corrected": True}, was=was
    )
    return ticket
