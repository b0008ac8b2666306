"""Customer health: one score per customer (by email), worst first.

score = 100 − 10 × open tickets − 5 × open tickets older than 7 days − 15 × tickets of the period
with an SLA breach − 10 × reopenings of the period's tickets, floored at 0.
"""

from datetime import datetime, timedelta

from django.db.models import Avg, Count, IntegerField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from tickets.models import OPEN_STATUSES

from ..filters import ReportFilters
from ..sql import tidy_rows
from .overview import sla_conditions

STALE_AFTER = timedelta(days=7)
LIMIT = 100


def report_customers(*, filters: ReportFilters, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    sla = sla_conditions(now)
    in_period = Q(created_at__gte=filters.start, created_at__lt=filters.end)
    is_open = Q(status__in=OPEN_STATUSES)
    breached = in_period & (sla["fr_breached"] | sla["res_breached"])
    stale = is_open & Q(created_at__lt=now - STALE_AFTER)
    reopenings = Coalesce(Sum("reopened_count", filter=in_period), Value(0))
    score = Greatest(
        Value(100)
        - 10 * Count("pk", filter=is_open)
        - 5 * Count("pk", filter=stale)
        - 15 * Count("pk", filter=breached)
        - 10 * reopenings,
        Value(0),
        output_field=IntegerField(),
    )
    rows = (
        filters.scoped()
        .filter(in_period | is_open)
        .exclude(customer_email="")
        .values("customer_email")
        .annotate(
            health=score,
            tickets=Count("pk", filter=in_period),
            open=Count("pk", filter=is_open),
            stale_open=Count("pk", filter=stale),
            breached=Count("pk", filter=breached),
            reopenings=reopenings,
            csat_avg=Avg("csat_score", filter=in_period),
            last_ticket_at=Max("created_at"),
        )
        .order_by("health", "-open", "customer_email")[:LIMIT]
    )
    table = tidy_rows(rows)
    for row in table:
        row["last_ticket_at"] = row["last_ticket_at"].isoformat() if row["last_ticket_at"] else None
    return {
        "report": "customers",
        "filters": filters.as_dict(),
        "tables": {"customers": table},
    }
