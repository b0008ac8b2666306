"""The overview's breakdowns (by category, priority, queue, channel) in one pass on PostgreSQL
with GROUPING SETS; elsewhere one grouped query per breakdown."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from tickets.models import Category, Queue

from ..sql import compiled, duration, fetch_dicts, tidy_rows

BREAKDOWN_FIELDS = {
    "by_category": F("category__name"),
    "by_priority": F("priority"),
    "by_queue": F("queue__name"),
    "by_channel": F("channel"),
}


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _rows_sql(cohort: QuerySet, sla: dict[str, Q], open_q: Q) -> tuple[str, tuple]:
    # Grouped by ids (cheaper to sort than names, no joins in the scan); names are joined after.
    return compiled(
        cohort.annotate(
            g_category=F("category_id"),
            g_priority=F("priority"),
            g_queue=F("queue_id"),
            g_channel=F("channel"),
            is_resolved=_flag(Q(resolved_at__isnull=False)),
            is_open=_flag(open_q),
            **{name: _flag(condition) for name, condition in sla.items()},
            frt=duration("first_response_at"),
            res=duration("resolved_at"),
        ).values(
            "g_category",
            "g_priority",
            "g_queue",
            "g_channel",
            "is_resolved",
            "is_open",
            *sla,
            "frt",
            "res",
            "csat_score",
        )
    )


_METRICS_SQL = """
    COUNT(*) AS tickets, SUM(is_resolved) AS resolved, SUM(is_open) AS open,
    SUM(fr_met) AS fr_met, SUM(fr_breached) AS fr_breached,
    CAST(SUM(fr_met) AS DOUBLE PRECISION) * 100 / NULLIF(SUM(fr_met) + SUM(fr_breached), 0)
        AS fr_compliance_pct,
    SUM(res_met) AS res_met, SUM(res_breached) AS res_breached,
    CAST(SUM(res_met) AS DOUBLE PRECISION) * 100 / NULLIF(SUM(res_met) + SUM(res_breached), 0)
        AS res_compliance_pct,
    AVG(frt) AS avg_first_response_s,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY frt) AS median_first_response_s,
    AVG(res) AS avg_resolution_s,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY res) AS median_resolution_s,
    CAST(AVG(csat_score) AS DOUBLE PRECISION) AS csat_avg, COUNT(csat_score) AS csat_count
"""

_INTS = (
    "tickets",
    "resolved",
    "open",
    "fr_met",
    "fr_breached",
    "res_met",
    "res_breached",
    "csat_count",
)


def breakdowns_grouping_sets(
    *, cohort: QuerySet, sla: dict[str, Q], open_q: Q
) -> tuple[dict, dict[str, list[dict]]]:
    """(summary, tables): the whole cohort and each breakdown from a single scan."""
    sql, params = _rows_sql(cohort, sla, open_q)
    rows = fetch_dicts(
        f"""
        SELECT g.*, c.name AS category_name, q.name AS queue_name FROM (
            SELECT GROUPING(g_category, g_priority, g_queue, g_channel) AS grouping_id,
                   g_category, g_priority, g_queue, g_channel, {_METRICS_SQL}
            FROM ({sql}) t
            GROUP BY GROUPING SETS ((), (g_category), (g_priority), (g_queue), (g_channel))
        ) g
        LEFT JOIN {Category._meta.db_table} c ON c.id = g.g_category
        LEFT JOIN {Queue._meta.db_table} q ON q.id = g.g_queue
        """,
        params,
    )
    # GROUPING() sets a bit for each argument that is *not* grouped (category is the high bit).
    sets = {15: None, 7: "by_category", 11: "by_priority", 13: "by_queue", 14: "by_channel"}
    columns = {
        "by_category": "g_category",
        "by_priority": "g_priority",
        "by_queue": "g_queue",
        "by_channel": "g_channel",
    }
    summary: dict = {}
    tables: dict[str, list[dict]] = {name: [] for name in BREAKDOWN_FIELDS}
    for row in tidy_rows(rows):
        name = sets[row.pop("grouping_id")]
        keys = {column: row.pop(column) for column in columns.values()}
        keys["g_category"], keys["g_queue"] = row.pop("category_name"), row.pop("queue_name")
        for key in _INTS:
            row[key] = int(row[key] or 0)
        if name is None:
            summary = row
        else:
            tables[name].append({"key": keys[columns[name]], **row})
    for rows_ in tables.values():
        rows_.sort(key=lambda r: (-r["tickets"], str(r["key"])))
    return summary, tables


def supports_grouping_sets() -> bool:
    return connection.vendor == "postgresql"
