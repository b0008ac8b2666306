"""Tickets' bulk writes for the SLA pass: the system notes and `escalated` events of the levels
the pass claimed, and the status events of breached tickets moved to `escalated`. Thousands of
tickets at a time: on PostgreSQL each is one statement over arrays (no model instance per row);
elsewhere `bulk_create`. The SLA app decides what fired; these write it."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from ..events import Kind
from ..lifecycle import SYSTEM_TRANSITIONS
from ..models import AuthorKind, Comment, Status, Ticket, TicketEvent

CHUNK = 5000
# the statuses from which the lifecycle lets the system escalate a ticket
TO_ESCALATED = tuple(s for s, targets in SYSTEM_TRANSITIONS.items() if Status.ESCALATED in targets)


@dataclass(frozen=True)
class EscalationNote:
    """One SLA level fired on one ticket: its system note and its `escalated` event."""

    ticket_id: uuid.UUID
    level: int  # 1 at risk, 2 breached
    text: str
    data: dict


def tickets_escalation_notes(*, notes: list[EscalationNote], now: datetime) -> list[int]:
    """Write each note as an internal system comment and an `escalated` event; returns the
    comment ids in the order of `notes`."""
    if not notes:
        return []
    if connection.vendor == "postgresql":
        return _notes_sql(notes, now)
    comments = Comment.objects.bulk_create(
        [
            Comment(
                ticket_id=n.ticket_id,
                author_kind=AuthorKind.SYSTEM,
                body=n.text,
                internal=True,
                created_at=now,
            )
            for n in notes
        ],
        batch_size=CHUNK,
    )
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=n.ticket_id,
                kind=Kind.ESCALATED,
                field="escalation_level",
                after=n.level,
                reason=n.text,
                data=n.data,
                created_at=now,
            )
            for n in notes
        ],
        batch_size=CHUNK,
    )
    return [c.pk for c in comments]


_T, _C, _E = Ticket._meta.db_table, Comment._meta.db_table, TicketEvent._meta.db_table


def _notes_sql(notes: list[EscalationNote], now: datetime) -> list[int]:
    import json

    sql = f"""
    WITH src AS (
        SELECT * FROM unnest(%(ids)s::uuid[], %(levels)s::int[], %(texts)s::text[],
                             %(data)s::jsonb[], %(ord)s::int[]) AS s(id, level, body, data, ord)
    ), comments AS (
        INSERT INTO {_C} (ticket_id, author_id, author_kind, body, internal, created_at)
        SELECT id, NULL, %(system)s, body, true, %(now)s FROM src ORDER BY ord
        RETURNING id, ticket_id
    ), audit AS (
        INSERT INTO {_E} (ticket_id, actor_id, kind, field, before, after, reason, data,
                          created_at)
        SELECT id, NULL, %(kind)s, 'escalation_level', NULL, to_jsonb(level), body, data, %(now)s
        FROM src
    )
    SELECT src.ord, comments.id FROM src JOIN comments ON comments.ticket_id = src.id
    """
    params: dict[str, Any] = {
        "ids": [n.ticket_id for n in notes],
        "levels": [n.level for n in notes],
        "texts": [n.text for n in notes],
        "data": [json.dumps(n.data) for n in notes],
        "ord": list(range(len(notes))),
        "system": AuthorKind.SYSTEM,
        "kind": Kind.ESCALATED,
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        by_order = dict(cursor.fetchall())
    return [by_order[i] for i in range(len(notes))]


def escalate_status_sql(table: str) -> str:
    """The `status = ...` assignment with which the SLA pass's claim statement moves a breached
    ticket to `escalated` (from the statuses the lifecycle allows) in the same UPDATE as its SLA
    state: a second UPDATE of the same rows doubled the pass's cost (docs/ARCHITECTURE.md,
    "Who writes what"). `tickets_escalated_events` then records the moves."""
    moves = ", ".join(f"'{s}'" for s in TO_ESCALATED)
    return (
        f"status = CASE WHEN {table}.status IN ({moves}) THEN '{Status.ESCALATED}' "
        f"ELSE {table}.status END"
    )


def tickets_escalated_events(
    *, claimed: list[tuple[uuid.UUID, str]], now: datetime, reason: str
) -> list[tuple[uuid.UUID, str]]:
    """The `status_changed` events of the claimed (id, status before) tickets the SLA pass moved
    to `escalated`; returns those (id, status before)."""
    moved = [(pk, before) for pk, before in claimed if before in TO_ESCALATED]
    if not moved:
        return moved
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_E} (ticket_id, actor_id, kind, field, before, after, reason, "
                "data, created_at) SELECT m.id, NULL, %(kind)s, 'status', to_jsonb(m.before), "
                "to_jsonb(%(after)s::text), %(reason)s, '{}'::jsonb, %(now)s "
                "FROM unnest(%(ids)s::uuid[], %(befores)s::text[]) AS m(id, before)",
                {
                    "ids": [pk for pk, _ in moved],
                    "befores": [before for _, before in moved],
                    "kind": Kind.STATUS_CHANGED,
                    "after": Status.ESCALATED,
                    "reason": reason,
                    "now": now,
                },
            )
        return moved
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=pk,
                kind=Kind.STATUS_CHANGED,
                field="status",
                before=before,
                after=Status.ESCALATED,
                reason=reason,
                created_at=now,
            )
            for pk, before in moved
        ],
        batch_size=CHUNK,
    )
    return moved
