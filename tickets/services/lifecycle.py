"""Plain writes of a ticket's lifecycle: its status, its conversation, its first response.

Each writes the row, its `TicketEvent` and its live event, and nothing more: what a change means
for the apps above (capacity, SLA clocks, ratings) is run by the journey layer (`journey/`)
after calling these. Callers hold the ticket's row lock (`ticket_lock`)."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from core.exceptions import NotAllowed, TransitionError
from core.roles import user_role
from live import realtime
from live.types import EventType

from .. import events
from ..lifecycle import system_can_transition
from ..models import AuthorKind, Comment, Status, Ticket


def ticket_lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def staff_required(user: User | AnonymousUser) -> None:
    if user_role(user) not in ("agent", "manager"):
        raise NotAllowed("Only agents and managers can do this.")


def ticket_status_apply(
    ticket: Ticket, status: str, *, actor: User | None = None, reason: str = ""
) -> str:
    """Move a locked ticket to `status` (already checked against the lifecycle); returns the
    status before."""
    before = ticket.status
    now = timezone.now()
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif before == Status.RESOLVED:
        ticket.resolved_at = None
        ticket.reopened_count += 1
        fields += ["resolved_at", "reopened_count"]
    ticket.save(update_fields=fields)
    events.ticket_status_changed_event(
        ticket=ticket, actor=actor, before=before, after=status, reason=reason
    )
    realtime.publish(EventType.STATUS_CHANGED, ticket, {"status": status, "previous": before})
    if status == Status.RESOLVED:
        realtime.publish(EventType.RESOLVED, ticket, {"status": status})
    return before


@transaction.atomic
def ticket_system_move(*, ticket: Ticket, status: str, reason: str = "") -> tuple[Ticket, str]:
    """A move the system makes itself, checked against the lifecycle: returns the locked ticket
    and the status before (equal to `status` when it was there already). The follow-ups of the
    move are the caller's (`journey.status.ticket_system_transition` runs them)."""
    ticket = ticket_lock(ticket)
    before = ticket.status
    if before == status:
        return ticket, before
    if not system_can_transition(before, status):
        raise TransitionError(f"A ticket cannot go from '{before}' to '{status}'.")
    ticket_status_apply(ticket, status, reason=reason)
    return ticket, before


def comment_write(
    *, ticket: Ticket, author: User | None, author_kind: str, body: str, internal: bool = False
) -> Comment:
    """Store a reply or a note on a locked ticket, with its event and its live event."""
    if ticket.status == Status.CLOSED:
        raise TransitionError("The ticket is closed; open a new ticket instead.")
    comment = Comment.objects.create(
        ticket=ticket, author=author, author_kind=author_kind, body=body, internal=internal
    )
    events.ticket_comment_event(
        ticket=ticket,
        actor=author,
        comment_id=comment.pk,
        internal=internal,
        author_kind=author_kind,
    )
    realtime.publish(
        EventType.COMMENT_ADDED,
        ticket,
        {"comment_id": comment.pk, "author_kind": author_kind, "internal": internal},
        internal=internal,
    )
    return comment


def author_kind_for(user: User | AnonymousUser, *, internal: bool) -> str:
    """Who writes: a customer (never an internal note), or staff."""
    role = user_role(user)
    if role == "customer":
        if internal:
            raise NotAllowed("Customers cannot write internal notes.")
        return AuthorKind.CUSTOMER
    if role in ("agent", "manager"):
        return AuthorKind.AGENT
    raise NotAllowed("Sign in to comment.")


def ticket_first_response_record(*, ticket: Ticket, at: datetime | None = None) -> bool:
    """The first public reply by an agent (or the AI agent); False when it had one already."""
    if ticket.first_response_at is not None:
        return False
    ticket.first_response_at = at or timezone.now()
    ticket.save(update_fields=["first_response_at", "updated_at"])
    events.ticket_first_response_event(ticket=ticket)
    return True
