"""Audit rows for a ticket's history, one small named function per kind of change (Saleor style)."""

from typing import Any

from django.utils import timezone

from .models import Ticket, TicketEvent


def _event(
    *,
    ticket: Ticket,
    kind: str,
    actor=None,
    field: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    data: dict | None = None,
    at=None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        field=field,
        before=before,
        after=after,
        reason=reason,
        data=data or {},
        created_at=at or timezone.now(),
    )


def ticket_created_event(*, ticket: Ticket, actor=None) -> TicketEvent:
    event = ticket_created_event_unsaved(ticket=ticket, actor=actor)
    event.save(force_insert=True)
    return event


def ticket_created_event_unsaved(*, ticket: Ticket, actor=None) -> TicketEvent:
    """The `created` row, not yet saved (the ingestion fast path inserts it with the ticket)."""
    return TicketEvent(
        ticket=ticket,
        kind="created",
        actor=actor,
        after=ticket.status,
        data={"channel": ticket.channel},
        created_at=ticket.created_at,
    )


def ticket_status_changed_event(
    *, ticket: Ticket, actor, before: str, after: str, reason: str = ""
):
    return _event(
        ticket=ticket,
        kind="status_changed",
        actor=actor,
        field="status",
        before=before,
        after=after,
        reason=reason,
    )


def ticket_field_changed_event(
    *,
    ticket: Ticket,
    actor,
    kind: str,
    field: str,
    before,
    after,
    reason: str = "",
    data: dict | None = None,
):
    return _event(
        ticket=ticket,
        kind=kind,
        actor=actor,
        field=field,
        before=before,
        after=after,
        reason=reason,
        data=data,
    )


def ticket_comment_event(
    *, ticket: Ticket, actor, comment_id: int, internal: bool, author_kind: str
):
    return _event(
        ticket=ticket,
        kind="internal_note" if internal else "comment",
        actor=actor,
        data={"comment_id": comment_id, "author_kind": author_kind},
    )


def ticket_system_event(*, ticket: Ticket, kind: str, reason: str = "", data: dict | None = None):
    return _event(ticket=ticket, kind=kind, reason=reason, data=data)
