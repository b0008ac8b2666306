"""Customer health: one score per customer (by email), worst first.

score = 100 − 10 × open tickets − 5 × open tickets older than 7 days − 15 × tickets of the period
with an SLA breach − 10 × reopenings of the period's tickets, floored at 0.
"""

from datetime import datetime, timedelta

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from tickets.models import OPEN_STATUSES, CustomerAccount

from ..filters import ReportFilters
from ..sla_outcomes import sla_conditions
from ..sql import compiled, fetch_dicts, tidy_rows

STALE_AFTER = timedelta(days=7)
LIMIT = 100


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _parts_sql(filters: ReportFilters, now: datetime) -> tuple[str, tuple]:
    """The period's tickets, plus open tickets created before the period (from a partial index,
    so the long tail of old open tickets costs an index-only scan, not a heap visit each)."""
    sla = sla_conditions(now)
    stale = Q(status__in=OPEN_STATUSES, created_at__lt=now - STALE_AFTER)
    in_period = (
        filters.tickets()
        .exclude(customer_email="")
        .annotate(
            in_p=Value(1),
            open_now=_flag(Q(status__in=OPEN_STATUSES)),
            stale=_flag(stale),
            breached=_flag(sla["fr_breached"] | sla["res_breached"]),
            reop=F("reopened_count"),
            csat=F("csat_score"),
        )
        .values(
            "customer_email", "created_at", "in_p", "open_now", "stale", "breached", "reop", "csat"
        )
    )
    older_open = (
        filters.scoped()
        .filter(status__in=OPEN_STATUSES, created_at__lt=filters.start)
        .exclude(customer_email="")
        .annotate(
            in_p=Value(0),
            open_now=Value(1),
            # Every row here is open: testing status again would need the heap.
            stale=_flag(Q(created_at__lt=now - STALE_AFTER)),
            breached=Value(0),
            reop=Value(0),
            csat=Cast(Value(None), IntegerField()),
        )
        .values(
            "customer_email", "created_at", "in_p", "open_now", "stale", "breached", "reop", "csat"
        )
    )
    a_sql, a_params = compiled(in_period)
    b_sql, b_params = compiled(older_open)
    return f"SELECT * FROM ({a_sql}) a UNION ALL SELECT * FROM ({b_sql}) b", a_params + b_params


def report_customers(*, filters: ReportFilters, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    sql, params = _parts_sql(filters, now)
    score = "100 - 10 * SUM(open_now) - 5 * SUM(stale) - 15 * SUM(breached) - 10 * SUM(reop)"
    accounts = CustomerAccount._meta.db_table
    rows = fetch_dicts(
        f"""
        SELECT h.*, acc.plan, acc.tier, CAST(acc.mrr AS DOUBLE PRECISION) AS mrr
        FROM (
            SELECT customer_email,
                   CASE WHEN {score} < 0 THEN 0 ELSE {score} END AS health,
                   SUM(in_p) AS tickets, SUM(open_now) AS open, SUM(stale) AS stale_open,
                   SUM(breached) AS breached, SUM(reop) AS reopenings,
                   CAST(AVG(csat) AS DOUBLE PRECISION) AS csat_avg,
                   MAX(created_at) AS last_ticket_at
            FROM ({sql}) u
            GROUP BY customer_email
            ORDER BY health, open DESC, customer_email
            LIMIT {LIMIT}
        ) h
        LEFT JOIN {accounts} acc ON acc.email = LOWER(h.customer_email)
        ORDER BY h.health, h.open DESC, h.customer_email
        """,
        params,
    )
    table = tidy_rows(rows)
    for row in table:
        for key in ("health", "tickets", "open", "stale_open", "breached", "reopenings"):
            row[key] = int(row[key] or 0)
        last = row["last_ticket_at"]
        row["last_ticket_at"] = last.isoformat() if hasattr(last, "isoformat") else last
    return {
        "report": "customers",
        "filters": filters.as_dict(),
        "tables": {"customers": table},
    }
