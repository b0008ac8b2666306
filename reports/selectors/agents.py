"""Agents: handling times and rates, each set against tickets of the same category × priority.

For every metric the agent's value is divided by what the agent's own mix of tickets would have
scored at the period's average: the mean, over the agent's tickets, of the metric's mean in that
ticket's category × priority cell. An index of 1.0 is par; below 1.0 is faster (times) or fewer
reopenings; above 1.0 is a higher resolution rate or CSAT.
"""

from django.contrib.auth import get_user_model
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from agents.models import Agent

from ..filters import ReportFilters
from ..sql import compiled, duration, fetch_dicts, tidy_rows
from .segments import agent_segments


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1.0)), default=Value(0.0), output_field=FloatField())


def _base(filters: ReportFilters) -> QuerySet:
    """The period's tickets in the queue/channel scope, *not* narrowed to one agent, so the cells
    compare an agent against everyone."""
    scope = ReportFilters(
        start=filters.start, end=filters.end, queue=filters.queue, channel=filters.channel
    )
    ever_resolved = Q(resolved_at__isnull=False) | Q(reopened_count__gt=0)
    return (
        scope.tickets()
        .annotate(
            cat=Coalesce(F("category_id"), Value(0)),
            frt=duration("first_response_at"),
            res=duration("resolved_at"),
            is_resolved=_flag(Q(resolved_at__isnull=False)),
            ever=_flag(ever_resolved),
            reopened=_flag(Q(reopened_count__gt=0)),
            csat=Case(
                When(csat_score__isnull=False, then=F("csat_score")), output_field=FloatField()
            ),
        )
        .values(
            "assigned_agent_id",
            "cat",
            "priority",
            "frt",
            "res",
            "is_resolved",
            "ever",
            "reopened",
            "csat",
        )
    )


def report_agents(*, filters: ReportFilters) -> dict:
    base_sql, params = compiled(_base(filters))
    agent_table = Agent._meta.db_table
    user_table = get_user_model()._meta.db_table
    agent_clause = ""
    if filters.agent is not None:
        agent_clause = "AND t.assigned_agent_id = %s"
        params = (*params, filters.agent.pk)
    rows = fetch_dicts(
        f"""
        WITH t AS ({base_sql}),
        cell AS (
            SELECT cat, priority, AVG(frt) AS frt, AVG(res) AS res, AVG(is_resolved) AS rr,
                   AVG(CASE WHEN ever = 1 THEN reopened END) AS ro, AVG(csat) AS csat
            FROM t GROUP BY cat, priority
        ),
        per_agent AS (
            SELECT t.assigned_agent_id AS agent_id, COUNT(*) AS tickets,
                   SUM(t.is_resolved) AS resolved, SUM(t.reopened) AS reopened,
                   AVG(t.frt) AS avg_first_response_s,
                   AVG(CASE WHEN t.frt IS NOT NULL THEN c.frt END) AS expected_first_response_s,
                   AVG(t.res) AS avg_resolution_s,
                   AVG(CASE WHEN t.res IS NOT NULL THEN c.res END) AS expected_resolution_s,
                   AVG(t.is_resolved) * 100 AS resolution_rate_pct,
                   AVG(c.rr) * 100 AS expected_resolution_rate_pct,
                   AVG(CASE WHEN t.ever = 1 THEN t.reopened END) * 100 AS reopen_rate_pct,
                   AVG(CASE WHEN t.ever = 1 THEN c.ro END) * 100 AS expected_reopen_rate_pct,
                   AVG(t.csat) AS csat_avg, COUNT(t.csat) AS csat_count,
                   AVG(CASE WHEN t.csat IS NOT NULL THEN c.csat END) AS expected_csat
            FROM t JOIN cell c ON c.cat = t.cat AND c.priority = t.priority
            WHERE t.assigned_agent_id IS NOT NULL {agent_clause}
            GROUP BY t.assigned_agent_id
        )
        SELECT p.agent_id,
               COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username)
                   AS agent,
               p.tickets, p.resolved, p.reopened,
               p.avg_first_response_s, p.expected_first_response_s,
               p.avg_first_response_s / NULLIF(p.expected_first_response_s, 0)
                   AS first_response_index,
               p.avg_resolution_s, p.expected_resolution_s,
               p.avg_resolution_s / NULLIF(p.expected_resolution_s, 0) AS resolution_index,
               p.resolution_rate_pct, p.expected_resolution_rate_pct,
               p.resolution_rate_pct / NULLIF(p.expected_resolution_rate_pct, 0)
                   AS resolution_rate_index,
               p.reopen_rate_pct, p.expected_reopen_rate_pct,
               p.reopen_rate_pct / NULLIF(p.expected_reopen_rate_pct, 0) AS reopen_index,
               p.csat_avg, p.csat_count, p.expected_csat,
               p.csat_avg / NULLIF(p.expected_csat, 0) AS csat_index
        FROM per_agent p
        JOIN {agent_table} a ON a.id = p.agent_id
        JOIN {user_table} u ON u.id = a.user_id
        ORDER BY p.tickets DESC, agent
        """,
        params,
    )
    for row in rows:
        row["resolved"] = int(row["resolved"] or 0)
        row["reopened"] = int(row["reopened"] or 0)
    return {
        "report": "agents",
        "filters": filters.as_dict(),
        "tables": {"agents": tidy_rows(rows), "handling": agent_segments(filters=filters)},
    }
