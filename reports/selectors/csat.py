"""CSAT: the spread of ratings and their average per day and per queue, for the period's tickets."""

from datetime import timedelta

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncDay

from ..filters import ReportFilters
from ..sql import day_key, pct, tidy, tidy_rows


def report_csat(*, filters: ReportFilters) -> dict:
    tickets = filters.tickets()
    rated = tickets.filter(csat_score__isnull=False)
    summary = tickets.aggregate(
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        rated=Count("pk", filter=Q(csat_score__isnull=False)),
        response_rate_pct=pct(
            Count("pk", filter=Q(csat_score__isnull=False)),
            Count("pk", filter=Q(resolved_at__isnull=False)),
        ),
        csat_avg=Avg("csat_score"),
        satisfied_pct=pct(
            Count("pk", filter=Q(csat_score__gte=4)),
            Count("pk", filter=Q(csat_score__isnull=False)),
        ),
        **{f"score_{score}": Count("pk", filter=Q(csat_score=score)) for score in range(1, 6)},
    )
    distribution = [
        {"score": score, "tickets": summary.pop(f"score_{score}")} for score in range(1, 6)
    ]
    per_day = {
        day_key(row["day"]): row
        for row in rated.annotate(day=TruncDay("created_at"))
        .values("day")
        .annotate(rated=Count("pk"), csat_avg=Avg("csat_score"))
    }
    series = []
    for offset in range(filters.days):
        key = (filters.start + timedelta(days=offset)).strftime("%Y-%m-%d")
        row = per_day.get(key)
        series.append(
            {
                "day": key,
                "rated": row["rated"] if row else 0,
                "csat_avg": tidy(row["csat_avg"]) if row else None,
            }
        )
    by_queue = (
        rated.values(queue_name=F("queue__name"))
        .annotate(rated=Count("pk"), csat_avg=Avg("csat_score"))
        .order_by("-rated", "queue_name")
    )
    return {
        "report": "csat",
        "filters": filters.as_dict(),
        "summary": {key: tidy(value) for key, value in summary.items()},
        "series": series,
        "tables": {
            "distribution": distribution,
            "by_queue": tidy_rows(by_queue),
            "per_day": series,
        },
    }
