"""The PostgreSQL path of the escalation side effects: comments and audit rows are written by
INSERT ... SELECT from the claimed ids in one statement per deadline and level, instead of building
tens of thousands of model instances in Python (see docs/BENCHMARKS.md, SLA)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection

from agents.models import Agent
from tickets.models import Comment, Status, Ticket, TicketEvent

LABEL = {"first_response": "first response", "resolution": "resolution"}


@dataclass(frozen=True)
class Fired:
    """One escalation written for one ticket: what the live event and the mail need."""

    ticket_id: uuid.UUID
    comment_id: int
    level: int  # the ticket's escalation level now
    kind: str  # first_response | resolution
    state: str  # at_risk | breached
    minutes: int
    text: str
    email: str  # the assignee's
    subject: str
    queue_id: int | None = None  # whose workspace lists the live events concern
    agent_id: int | None = None


_T, _C, _E = Ticket._meta.db_table, Comment._meta.db_table, TicketEvent._meta.db_table
_A, _U = Agent._meta.db_table, get_user_model()._meta.db_table
_DUE_TEXT = "to_char({due} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"


def _minutes_and_text(kind: str, state: str) -> tuple[str, str]:
    due = f"t.sla_{kind}_due"
    when = _DUE_TEXT.format(due=due)
    if state == "at_risk":
        minutes = f"GREATEST(CEIL(EXTRACT(EPOCH FROM ({due} - %(now)s)) / 60), 0)::int"
        text = (
            f"'SLA at risk: {LABEL[kind]} due in ' || {minutes} || ' minutes (' || {when} "
            f"|| ' UTC).'"
        )
    else:
        minutes = f"FLOOR(EXTRACT(EPOCH FROM (%(now)s - {due})) / 60)::int"
        text = (
            f"'SLA breached: {LABEL[kind]} was due ' || {when} || ' UTC (' || {minutes} "
            f"|| ' minutes ago).'"
        )
    return minutes, text


def fired_write(*, kind: str, state: str, ids: list[uuid.UUID], now: datetime) -> list[Fired]:
    if not ids:
        return []
    level = 1 if state == "at_risk" else 2
    minutes, text = _minutes_and_text(kind, state)
    minutes_key = "minutes_left" if state == "at_risk" else "minutes_over"
    sql = f"""
    WITH src AS (
        SELECT t.id, t.subject, t.escalation_level AS level, u.email,
               {minutes} AS minutes, {text} AS body, t.queue_id, t.assigned_agent_id
        FROM {_T} t
        LEFT JOIN {_A} a ON a.id = t.assigned_agent_id
        LEFT JOIN {_U} u ON u.id = a.user_id
        WHERE t.id = ANY(%(ids)s)
    ), comments AS (
        INSERT INTO {_C} (ticket_id, author_id, author_kind, body, internal, created_at)
        SELECT id, NULL, 'system', body, true, %(now)s FROM src
        RETURNING id, ticket_id
    ), audit AS (
        INSERT INTO {_E} (ticket_id, actor_id, kind, field, before, after, reason, data,
                          created_at)
        SELECT id, NULL, 'escalated', 'escalation_level', NULL, to_jsonb(%(level)s::int), body,
               jsonb_build_object('deadline', %(kind)s::text, 'state', %(state)s::text,
                                  %(minutes_key)s::text, minutes),
               %(now)s
        FROM src
    )
    SELECT src.id, comments.id, src.level, src.minutes, src.body, src.email, src.subject,
           src.queue_id, src.assigned_agent_id
    FROM src JOIN comments ON comments.ticket_id = src.id
    """
    params = {
        "ids": ids,
        "now": now,
        "level": level,
        "kind": kind,
        "state": state,
        "minutes_key": minutes_key,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Fired(
            ticket_id=pk,
            comment_id=comment_id,
            level=current,
            kind=kind,
            state=state,
            minutes=minutes_value,
            text=body,
            email=email or "",
            subject=subject,
            queue_id=queue_id,
            agent_id=agent_id,
        )
        for pk, comment_id, current, minutes_value, body, email, subject, queue_id, agent_id in rows
    ]


def status_events_write(*, moved: list[tuple[uuid.UUID, str]], now: datetime) -> None:
    if not moved:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_E} (ticket_id, actor_id, kind, field, before, after, reason, data, "
            f"created_at) SELECT m.id, NULL, 'status_changed', 'status', to_jsonb(m.before), "
            f"to_jsonb(%(after)s::text), 'SLA breached', '{{}}'::jsonb, %(now)s "
            f"FROM unnest(%(ids)s::uuid[], %(befores)s::text[]) AS m(id, before)",
            {
                "ids": [pk for pk, _ in moved],
                "befores": [before for _, before in moved],
                "after": Status.ESCALATED,
                "now": now,
            },
        )
