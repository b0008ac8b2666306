"""Applying a macro to a ticket: its text, filled in for the customer, goes out as a public reply
and its actions run through the same services as by hand (priority and queue as a correction and
a reassignment, tags, then the status, checked against the lifecycle), all in one transaction:
an action the ticket refuses changes nothing."""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from agents.models import SavedReply
from agents.resolution.replies import reply_fill
from agents.services.macros import macro_used
from core.exceptions import TransitionError
from tickets import services as tickets
from tickets.lifecycle import agent_can_transition
from tickets.models import Ticket

from .changes import ticket_correct, ticket_reassign
from .conversation import comment_add
from .status import ticket_change_status
from .tags import ticket_tags_change


@dataclass(frozen=True)
class MacroPreview:
    """What applying `macro` would do now: the reply as the customer will read it, the actions
    in words, and why it cannot be applied (empty: it can)."""

    text: str
    actions: list[str] = field(default_factory=list)
    problem: str = ""


def _agent_name(user: User) -> str:
    return user.get_full_name()


def _problem(*, ticket: Ticket, macro: SavedReply) -> str:
    moves = macro.set_status and macro.set_status != ticket.status
    if macro.set_queue_id and macro.set_queue_id != ticket.queue_id and not ticket.is_open:
        return f"A {ticket.status} ticket cannot be moved to another queue."
    if moves and not agent_can_transition(ticket.status, macro.set_status):
        return f"A ticket cannot go from '{ticket.status}' to '{macro.set_status}'."
    return ""


def macro_preview(*, ticket: Ticket, user: User, macro: SavedReply) -> MacroPreview:
    actions = macro.action_lines()
    return MacroPreview(
        text=reply_fill(body=macro.body, ticket=ticket, agent_name=_agent_name(user)),
        actions=actions,
        problem=_problem(ticket=ticket, macro=macro),
    )


@transaction.atomic
def macro_apply(*, ticket: Ticket, user: User, macro: SavedReply) -> Ticket:
    """Post the macro's reply and run its actions; a refused action is an error (409) and
    nothing of it stays. The caller has checked that `user` may see the ticket and use the
    macro (`tickets.selectors.ticket_get`, `agents.selectors.macro_get`)."""
    tickets.staff_required(user)
    ticket = tickets.ticket_lock(ticket)
    problem = _problem(ticket=ticket, macro=macro)
    if problem:
        raise TransitionError(problem)
    reason = f"macro “{macro.name}”"
    text = reply_fill(body=macro.body, ticket=ticket, agent_name=_agent_name(user))
    if text.strip():
        comment_add(ticket=ticket, user=user, body=text)
    if macro.set_priority:
        ticket = ticket_correct(
            ticket=ticket, user=user, priority=macro.set_priority, reason=reason
        )
    if macro.set_queue is not None and macro.set_queue_id != ticket.queue_id:
        ticket = ticket_reassign(ticket=ticket, user=user, queue=macro.set_queue, reason=reason)
    if macro.add_tags:
        ticket = ticket_tags_change(ticket=ticket, user=user, add=macro.add_tags, reason=reason)
    if macro.set_status and macro.set_status != ticket.status:
        ticket = ticket_change_status(
            ticket=ticket, user=user, status=macro.set_status, reason=reason
        )
    macro_used(macro=macro)
    return ticket
