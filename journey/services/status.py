"""Status changes with their follow-ups: by an agent (the lifecycle's agent moves; anything else
is a 409) and by the system (assignment, escalation, the AI agent)."""

from django.contrib.auth.models import User
from django.db import transaction

from core.exceptions import TransitionError
from tickets import services as tickets
from tickets.lifecycle import agent_can_transition
from tickets.models import Status, Ticket

from .. import pipeline


@transaction.atomic
def ticket_change_status(*, ticket: Ticket, user: User, status: str, reason: str = "") -> Ticket:
    """An agent or manager moves a ticket through the lifecycle."""
    tickets.staff_required(user)
    ticket = tickets.ticket_lock(ticket)
    if status not in Status.values:
        raise TransitionError(f"Unknown status '{status}'.", fields={"status": ["Unknown status."]})
    if not agent_can_transition(ticket.status, status):
        raise TransitionError(f"A ticket cannot go from '{ticket.status}' to '{status}'.")
    before = tickets.ticket_status_apply(ticket, status, actor=user, reason=reason)
    pipeline.status_changed(ticket=ticket, before=before, after=status)
    return ticket


@transaction.atomic
def ticket_system_transition(*, ticket: Ticket, status: str, reason: str = "") -> Ticket:
    """A move the system makes itself, checked against the lifecycle, with its follow-ups."""
    ticket, before = tickets.ticket_system_move(ticket=ticket, status=status, reason=reason)
    pipeline.status_changed(ticket=ticket, before=before, after=status)
    return ticket
