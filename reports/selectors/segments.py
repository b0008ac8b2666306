"""Handling segments: each stretch of a ticket with one agent, from the moment it was assigned
to them until it went to someone else (or was unassigned), or until now.

A segment starts at an `assigned` or `reassigned` (agent) event and ends at the ticket's next such
event or `unassigned` event (`LEAD` over the ticket's events). Within it, the agent's first
public reply is their response and the first move to `resolved` their resolution, both timed
from the segment's start, so a reassignment splits the credit: the one who handed a ticket on
is measured on their stretch, the one who resolved it from when they got it."""

import json

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.fields import IntegerField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from agents.models import Agent
from tickets.models import Comment, Status, TicketEvent

from ..filters import ReportFilters
from ..sql import compiled, fetch_dicts, json_equals_sql, median_sql, seconds_sql, tidy_rows

Kind = TicketEvent.Kind


def _marks(filters: ReportFilters) -> QuerySet:
    """The events that begin or end a segment, from the period's start on, for tickets in the
    queue/channel scope; `agent_id` is the agent a segment begins with (NULL: it only ends one)."""
    scope = Q()
    if filters.queue is not None:
        scope &= Q(ticket__queue=filters.queue)
    if filters.channel:
        scope &= Q(ticket__channel=filters.channel)
    begins = Q(kind=Kind.ASSIGNED) | Q(kind=Kind.REASSIGNED, field="assigned_agent")
    return (
        TicketEvent.objects.filter(begins | Q(kind=Kind.UNASSIGNED), scope)
        .filter(created_at__gte=filters.start)
        .annotate(
            agent=Coalesce(
                Cast(KeyTextTransform("to_agent_id", "data"), IntegerField()),
                Cast(KeyTextTransform("agent_id", "data"), IntegerField()),
            )
        )
        .order_by()
        .values("id", "ticket_id", "created_at", "kind", "agent")
    )


def agent_segments(*, filters: ReportFilters) -> list[dict]:
    """Per agent: segments begun in the period, how many were handed on, and the time from
    assignment to their first reply and to resolution within the segment (average and median)."""
    marks_sql, params = compiled(_marks(filters))
    events, comments = TicketEvent._meta.db_table, Comment._meta.db_table
    agents, users = Agent._meta.db_table, get_user_model()._meta.db_table
    agent_clause = ""
    tail: tuple = (filters.end,)
    if filters.agent is not None:
        agent_clause = "AND seg.agent_id = %s"
        tail = (*tail, filters.agent.pk)
    fr, res = (
        seconds_sql("s.responded_at", "s.seg_start"),
        seconds_sql("s.resolved_at", "s.seg_start"),
    )
    rows = fetch_dicts(
        f"""
        WITH marks AS ({marks_sql}),
        seg AS (
            SELECT ticket_id, agent AS agent_id, created_at AS seg_start, kind,
                   LEAD(created_at) OVER (PARTITION BY ticket_id ORDER BY created_at, id)
                       AS seg_end
            FROM marks
        ),
        s AS (
            SELECT seg.agent_id, seg.seg_start, seg.seg_end,
                   (SELECT MIN(c.created_at) FROM {comments} c
                    WHERE c.ticket_id = seg.ticket_id AND c.author_id = a.user_id
                      AND c.internal = %s AND c.created_at >= seg.seg_start
                      AND (seg.seg_end IS NULL OR c.created_at < seg.seg_end)) AS responded_at,
                   (SELECT MIN(e.created_at) FROM {events} e
                    WHERE e.ticket_id = seg.ticket_id AND e.kind = %s
                      AND {json_equals_sql("e.after")} AND e.created_at >= seg.seg_start
                      AND (seg.seg_end IS NULL OR e.created_at < seg.seg_end)) AS resolved_at
            FROM seg JOIN {agents} a ON a.id = seg.agent_id
            WHERE seg.kind <> %s AND seg.seg_start < %s {agent_clause}
        ),
        t AS (
            SELECT s.agent_id, s.seg_end, s.responded_at, s.resolved_at,
                   {fr} AS fr, {res} AS res
            FROM s
        )
        SELECT t.agent_id,
               COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username)
                   AS agent,
               COUNT(*) AS segments,
               SUM(CASE WHEN t.seg_end IS NOT NULL THEN 1 ELSE 0 END) AS handed_on,
               COUNT(t.responded_at) AS responded_in_segment,
               AVG(t.fr) AS avg_response_from_assignment_s,
               {median_sql("t.fr")} AS median_response_from_assignment_s,
               COUNT(t.resolved_at) AS resolved_in_segment,
               AVG(t.res) AS avg_resolution_from_assignment_s,
               {median_sql("t.res")} AS median_resolution_from_assignment_s
        FROM t
        JOIN {agents} a ON a.id = t.agent_id
        JOIN {users} u ON u.id = a.user_id
        GROUP BY t.agent_id, u.first_name, u.last_name, u.username
        ORDER BY segments DESC, agent
        """,
        (*params, False, Kind.STATUS_CHANGED, json.dumps(Status.RESOLVED), Kind.UNASSIGNED, *tail),
    )
    for row in rows:
        for key in ("segments", "handed_on", "responded_in_segment", "resolved_in_segment"):
            row[key] = int(row[key] or 0)
    return tidy_rows(rows)
