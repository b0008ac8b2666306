"""Audit rows for a ticket's history: one small named writer per kind of change (Saleor style),
and the bulk writers the SLA pass uses. Nothing else creates `TicketEvent` rows."""

import math
from datetime import datetime
from typing import Any

from django.utils import timezone

from .models import Ticket, TicketEvent

Kind = TicketEvent.Kind


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
        created_at=timezone.now(),
    )


# --- arrival -----------------------------------------------------------------------------


def ticket_created_event(*, ticket: Ticket, actor=None) -> TicketEvent:
    event = ticket_created_event_unsaved(ticket=ticket, actor=actor)
    event.save(force_insert=True)
    return event


def ticket_created_event_unsaved(*, ticket: Ticket, actor=None) -> TicketEvent:
    """The `created` row, not yet saved (the ingestion fast path inserts it with the ticket)."""
    return TicketEvent(
        ticket=ticket,
        kind=Kind.CREATED,
        actor=actor,
        after=ticket.status,
        data={"channel": ticket.channel},
        created_at=ticket.created_at,
    )


def tickets_imported_events(*, tickets: list[Ticket]) -> None:
    """History loaded by `import_tickets`: one `imported` row each, dated as the ticket."""
    TicketEvent.objects.bulk_create(
        TicketEvent(ticket=t, kind=Kind.IMPORTED, after=t.status, created_at=t.created_at)
        for t in tickets
    )


# --- lifecycle and conversation ------------------------------------------------------------


def ticket_status_changed_event(
    *, ticket: Ticket, actor, before: str, after: str, reason: str = ""
) -> TicketEvent:
    return _event(
        ticket=ticket,
        kind=Kind.STATUS_CHANGED,
        actor=actor,
        field="status",
        before=before,
        after=after,
        reason=reason,
    )


def ticket_comment_event(
    *, ticket: Ticket, actor, comment_id: int, internal: bool, author_kind: str
) -> TicketEvent:
    return _event(
        ticket=ticket,
        kind=Kind.INTERNAL_NOTE if internal else Kind.COMMENT,
        actor=actor,
        data={"comment_id": comment_id, "author_kind": author_kind},
    )


def ticket_first_response_event(*, ticket: Ticket) -> TicketEvent:
    return _event(ticket=ticket, kind=Kind.FIRST_RESPONSE)


def ticket_csat_rated_event(*, ticket: Ticket, before: int | None, after: int) -> TicketEvent:
    return _event(
        ticket=ticket, kind=Kind.CSAT_RATED, field="csat_score", before=before, after=after
    )


def ticket_merged_event(*, ticket: Ticket, actor, into: Ticket, reason: str = "") -> TicketEvent:
    """A duplicate was folded into `into`: it is closed, its conversation lives there now."""
    return _event(
        ticket=ticket,
        kind=Kind.MERGED,
        actor=actor,
        field="merged_into",
        after=f"#{into.ref}",
        reason=reason,
        data={"into": str(into.pk)},
    )


def ticket_merged_in_event(
    *, ticket: Ticket, actor, source: Ticket, comments: int, attachments: int
) -> TicketEvent:
    """Another ticket (`source`) was folded into this one, with what moved over."""
    return _event(
        ticket=ticket,
        kind=Kind.MERGED_IN,
        actor=actor,
        after=f"#{source.ref}",
        data={"from": str(source.pk), "comments": comments, "attachments": attachments},
    )


# --- routing -----------------------------------------------------------------------------


def ticket_routed_event(*, ticket: Ticket, reason: str, data: dict) -> TicketEvent:
    return _event(ticket=ticket, kind=Kind.ROUTED, reason=reason, data=data)


def ticket_urgency_override_event(
    *, ticket: Ticket, before: str, phrases: list[str]
) -> TicketEvent:
    return _event(
        ticket=ticket,
        kind=Kind.URGENCY_OVERRIDE,
        field="priority",
        before=before,
        after="urgent",
        reason=f"phrase '{phrases[0]}'",
        data={"phrases": phrases},
    )


def ticket_corrected_event(
    *, ticket: Ticket, actor, field: str, before: Any, after: Any, reason: str = ""
) -> TicketEvent:
    """A person corrected what routing decided (the next training run learns from it)."""
    return _event(
        ticket=ticket,
        kind=Kind.CORRECTED,
        actor=actor,
        field=field,
        before=before,
        after=after,
        reason=reason,
    )


def ticket_tags_changed_event(
    *,
    ticket: Ticket,
    actor,
    before: list[str],
    added: list[str],
    removed: list[str],
    reason: str = "",
) -> TicketEvent:
    """A person added or removed tags (by hand, with a macro, in bulk)."""
    return _event(
        ticket=ticket,
        kind=Kind.TAGS_CHANGED,
        actor=actor,
        field="tags",
        before=before,
        after=list(ticket.tags),
        reason=reason,
        data={"added": added, "removed": removed},
    )


def ticket_reassigned_event(
    *,
    ticket: Ticket,
    actor,
    field: str,
    before: Any,
    after: Any,
    reason: str,
    data: dict | None = None,
) -> TicketEvent:
    """A person moved the ticket to another queue (`field="queue"`) or agent
    (`field="assigned_agent"`, with `from_agent_id` in `data` for the ranking)."""
    return _event(
        ticket=ticket,
        kind=Kind.REASSIGNED,
        actor=actor,
        field=field,
        before=before,
        after=after,
        reason=reason,
        data=data,
    )


# --- assignment --------------------------------------------------------------------------


def ticket_assigned_event(
    *, ticket: Ticket, before: str | None, after: str, reason: str, data: dict | None = None
) -> TicketEvent:
    return _event(
        ticket=ticket,
        kind=Kind.ASSIGNED,
        field="assigned_agent",
        before=before,
        after=after,
        reason=reason,
        data=data,
    )


def ticket_unassigned_event(
    *, ticket: Ticket, actor, before: str, reason: str, data: dict | None = None
) -> TicketEvent:
    return _event(
        ticket=ticket,
        kind=Kind.UNASSIGNED,
        actor=actor,
        field="assigned_agent",
        before=before,
        after=None,
        reason=reason,
        data=data,
    )


# --- SLA ---------------------------------------------------------------------------------


def ticket_sla_started_event(*, ticket: Ticket, policy_id: int | None) -> TicketEvent:
    return _event(
        ticket=ticket,
        kind=Kind.SLA_STARTED,
        data={
            "first_response_due": _iso(ticket.sla_first_response_due),
            "resolution_due": _iso(ticket.sla_resolution_due),
            "policy": policy_id,
        },
    )


def ticket_sla_recomputed_event(
    *, ticket: Ticket, reason: str, before: tuple[datetime | None, datetime | None]
) -> TicketEvent:
    return _event(
        ticket=ticket,
        kind=Kind.SLA_RECOMPUTED,
        reason=reason,
        data={
            "first_response_due": [_iso(before[0]), _iso(ticket.sla_first_response_due)],
            "resolution_due": [_iso(before[1]), _iso(ticket.sla_resolution_due)],
        },
    )


def ticket_sla_outcome_event(
    *, ticket: Ticket, deadline: str, met: bool, due: datetime
) -> TicketEvent:
    """Whether the first response (`deadline="first_response"`) or the resolution came in time."""
    kind = Kind.SLA_FIRST_RESPONSE if deadline == "first_response" else Kind.SLA_RESOLUTION
    return _event(
        ticket=ticket,
        kind=kind,
        reason="met" if met else "breached",
        data={"met": met, "due": due.isoformat()},
    )


def ticket_escalated_event(*, ticket: Ticket, level: int, reason: str, cause: str) -> TicketEvent:
    """An escalation outside the SLA pass (`cause="no_agent_free"`: nobody can take it)."""
    return _event(
        ticket=ticket, kind=Kind.ESCALATED, reason=reason, data={"level": level, "cause": cause}
    )


# --- the AI agent ------------------------------------------------------------------------


def ticket_ai_resolved_event(*, ticket: Ticket, reason: str, data: dict) -> TicketEvent:
    """The AI agent answered and resolved the ticket."""
    return _event(ticket=ticket, kind=Kind.AI_RESOLVED, reason=reason, data=data)


def ticket_ai_review_requested_event(*, ticket: Ticket, reason: str, data: dict) -> TicketEvent:
    """The AI agent answered and asked a person to review."""
    return _event(ticket=ticket, kind=Kind.AI_REVIEW_REQUESTED, reason=reason, data=data)


def ticket_ai_handoff_event(*, ticket: Ticket, reason: str, data: dict) -> TicketEvent:
    """The AI agent was not sure enough to answer; a person takes over."""
    return _event(ticket=ticket, kind=Kind.AI_HANDOFF, reason=reason, data=data)


# --- mail ---------------------------------------------------------------------------------


def ticket_mail_bounced_event(
    *, ticket: Ticket, recipient: str, reason: str, message_id: str
) -> TicketEvent:
    """A mail to the customer came back undelivered: they have not read that reply."""
    return _event(
        ticket=ticket,
        kind=Kind.MAIL_BOUNCED,
        field="mail",
        after=recipient,
        reason=reason,
        data={"message_id": message_id},
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- the SLA pass, in bulk -----------------------------------------------------------------

DEADLINE_LABEL = {"first_response": "first response", "resolution": "resolution"}


def escalation_note(*, deadline: str, state: str, due: datetime, now: datetime) -> tuple[int, str]:
    """(minutes, text) of an SLA escalation: the system note's text and the event's reason.
    `state` is `at_risk` (minutes left) or `breached` (minutes over)."""
    label, when = DEADLINE_LABEL[deadline], f"{due:%Y-%m-%d %H:%M}"
    if state == "at_risk":
        minutes = max(math.ceil((due - now).total_seconds() / 60), 0)
        return minutes, f"SLA at risk: {label} due in {minutes} minutes ({when} UTC)."
    minutes = math.floor((now - due).total_seconds() / 60)
    return minutes, f"SLA breached: {label} was due {when} UTC ({minutes} minutes ago)."
