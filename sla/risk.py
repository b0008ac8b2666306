"""Breach prediction: a 0..1 `breach_risk` per open ticket, written set-based by the monitor.

    needed    = max(expected - elapsed, half of expected)     expected: mean resolution time of the
                                                               queue/priority over 90 days (>= 3
                                                               tickets), else half the target
    load      = 1 + 0.5 * min(assignee open / max_tickets, 2)  (unassigned: 1)
                  + 0.5 * min(queue open / queue capacity, 2)   capacity: sum of max_tickets of the
                                                               available agents serving the queue
    r         = needed * load / time left to the deadline
    risk      = r / (1 + r), and 1 once the deadline has passed

A risk of 0.5 means the expected remaining work, slowed by the load, just fills the time left.
Each pass refreshes tickets due within `SLA_RISK_HORIZON_HOURS` and those with no risk yet."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum

from agents.models import Agent
from tickets.models import OPEN_STATUSES, Queue, Ticket

_T = Ticket._meta.db_table
_OPEN_SQL = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
NEW_PER_PASS = 20_000


def _epoch(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {expr})"
    return f"((julianday({expr}) - 2440587.5) * 86400.0)"


def _queue_ratios() -> list[tuple[int, float]]:
    """Open tickets per queue over the capacity of the agents serving it (a few rows)."""
    open_counts = dict(
        Ticket.objects.filter(status__in=OPEN_STATUSES, queue__isnull=False)
        .values_list("queue_id")
        .annotate(n=Count("id"))
        .values_list("queue_id", "n")
    )
    if not open_counts:
        return []
    available = Agent.objects.filter(is_available=True)
    everywhere = available.filter(all_queues=True).aggregate(c=Sum("max_tickets"))["c"] or 0
    members = dict(
        Queue.objects.filter(pk__in=open_counts)
        .annotate(
            c=Sum(
                "agents__max_tickets",
                filter=Q(agents__is_available=True, agents__all_queues=False),
            )
        )
        .values_list("pk", "c")
    )
    return [
        (queue_id, n / max((members.get(queue_id) or 0) + everywhere, 1))
        for queue_id, n in open_counts.items()
    ]


def breach_risk_refresh(*, now: datetime, ticket_ids: list | None = None) -> int:
    """Recompute `breach_risk` in one UPDATE; returns how many tickets changed."""
    ratios = _queue_ratios() or [(0, 0.0)]  # a typed placeholder row; no queue has id 0
    values = ", ".join(["(%s, %s)"] * len(ratios))
    params: list = [v for pair in ratios for v in pair]
    now_p = connection.ops.adapt_datetimefield_value(now)
    horizon = connection.ops.adapt_datetimefield_value(
        now + timedelta(hours=getattr(settings, "SLA_RISK_HORIZON_HOURS", 8))
    )
    since = connection.ops.adapt_datetimefield_value(now - timedelta(days=90))
    due, created, now_e = _epoch("t.sla_resolution_due"), _epoch("t.created_at"), _epoch("%s")
    if ticket_ids is not None:
        if not ticket_ids:
            return 0
        pk = Ticket._meta.pk
        scope = f"t.id IN ({', '.join(['%s'] * len(ticket_ids))})"
        scope_params = [pk.get_db_prep_value(i, connection) for i in ticket_ids]
    else:
        scope = (
            f"(t.sla_resolution_due <= %s OR t.id IN (SELECT id FROM {_T} WHERE breach_risk IS NULL"
            f" AND status IN ({_OPEN_SQL}) AND sla_resolution_due IS NOT NULL LIMIT {NEW_PER_PASS}))"
        )
        scope_params = [horizon]
    sql = f"""
    WITH qratio(queue_id, ratio) AS (VALUES {values}),
    hist AS (
        SELECT queue_id, priority,
               AVG({_epoch("resolved_at")} - {_epoch("created_at")}) AS avg_s
        FROM {_T} WHERE resolved_at IS NOT NULL AND resolved_at >= %s
        GROUP BY queue_id, priority HAVING COUNT(*) >= 3
    ),
    aload AS (
        SELECT a.id AS agent_id, COUNT(t.id) * 1.0 / CASE WHEN a.max_tickets > 0
               THEN a.max_tickets ELSE 1 END AS ratio
        FROM agents_agent a JOIN {_T} t ON t.assigned_agent_id = a.id
        WHERE t.status IN ({_OPEN_SQL}) GROUP BY a.id, a.max_tickets
    ),
    scored AS (
        SELECT t.id,
               {due} - CASE WHEN t.sla_paused_at IS NULL THEN {now_e}
                            ELSE {_epoch("t.sla_paused_at")} END AS left_s,
               COALESCE(h.avg_s, c.resolution_minutes * 30.0, ({due} - {created}) / 2.0)
                   AS expected_s,
               {now_e} - {created} AS elapsed_s,
               1.0 + 0.5 * CASE WHEN t.assigned_agent_id IS NULL THEN 1.0
                                WHEN al.ratio > 2 THEN 2.0 ELSE COALESCE(al.ratio, 0) END
                   + 0.5 * CASE WHEN q.ratio > 2 THEN 2.0 ELSE COALESCE(q.ratio, 0) END AS load
        FROM {_T} t
        LEFT JOIN sla_ticketsla c ON c.ticket_id = t.id
        LEFT JOIN hist h ON h.queue_id = t.queue_id AND h.priority = t.priority
        LEFT JOIN aload al ON al.agent_id = t.assigned_agent_id
        LEFT JOIN qratio q ON q.queue_id = t.queue_id
        WHERE t.status IN ({_OPEN_SQL}) AND t.sla_resolution_due IS NOT NULL AND {scope}
    ),
    risk AS (
        SELECT id, CASE WHEN left_s <= 0 THEN 1e9 ELSE
            (CASE WHEN expected_s - elapsed_s > 0.5 * expected_s THEN expected_s - elapsed_s
                  ELSE 0.5 * expected_s END) * load / left_s END AS r
        FROM scored
    ),
    final AS (
        SELECT id, ROUND(CAST(CASE WHEN r >= 1e9 THEN 1.0 ELSE r / (1.0 + r) END AS NUMERIC), 3)
               AS value
        FROM risk
    )
    UPDATE {_T} SET breach_risk = final.value
    FROM final
    WHERE {_T}.id = final.id
      AND ({_T}.breach_risk IS NULL OR ABS({_T}.breach_risk - final.value) >= 0.01)
    """
    # Placeholders in order: the VALUES rows, hist's window, `now` in left_s and elapsed_s, scope.
    ordered = [*params, since, now_p, now_p, *scope_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)
        if cursor.rowcount >= 0:
            return cursor.rowcount
        cursor.execute("SELECT changes()")  # sqlite3 reports no rowcount for WITH ... UPDATE
        return cursor.fetchone()[0]
