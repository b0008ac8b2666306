"""The overview: volume, backlog over time, SLA compliance and handling times, with breakdowns."""

from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDay
from django.utils import timezone

from tickets.models import OPEN_STATUSES

from ..filters import ReportFilters
from ..rollup import rollup_overview, rollup_per_day, rollup_usable
from ..sla_outcomes import sla_conditions
from ..sql import Median, compiled, day_key, duration, fetch_dicts, pct, tidy, tidy_rows
from .breakdowns import BREAKDOWN_FIELDS, breakdowns_grouping_sets, supports_grouping_sets


def ticket_metrics(now: datetime) -> dict:
    """The aggregates computed for any set of tickets (a whole period or one group of it)."""
    sla = sla_conditions(now)
    return {
        "tickets": Count("pk"),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "fr_met": Count("pk", filter=sla["fr_met"]),
        "fr_breached": Count("pk", filter=sla["fr_breached"]),
        "fr_compliance_pct": pct(
            Count("pk", filter=sla["fr_met"]),
            Count("pk", filter=sla["fr_met"] | sla["fr_breached"]),
        ),
        "res_met": Count("pk", filter=sla["res_met"]),
        "res_breached": Count("pk", filter=sla["res_breached"]),
        "res_compliance_pct": pct(
            Count("pk", filter=sla["res_met"]),
            Count("pk", filter=sla["res_met"] | sla["res_breached"]),
        ),
        "avg_first_response_s": Avg(duration("first_response_at")),
        "median_first_response_s": Median(duration("first_response_at")),
        "avg_resolution_s": Avg(duration("resolved_at")),
        "median_resolution_s": Median(duration("resolved_at")),
        "csat_avg": Avg("csat_score"),
        "csat_count": Count("pk", filter=Q(csat_score__isnull=False)),
    }


def _series(filters: ReportFilters, from_rollup: bool = False) -> list[dict]:
    """Created and resolved per day, and the backlog (unresolved tickets) at the end of each day:
    the backlog at the start plus a running sum (window function) of created − resolved. The
    per-day counts come from the tickets or, for long periods, the daily rollup."""
    scoped = filters.scoped()
    # Two counts rather than one OR, so each is an index-only scan of a partial index.
    backlog_start = (
        scoped.filter(resolved_at__isnull=True, created_at__lt=filters.start).count()
        + scoped.filter(resolved_at__gte=filters.start, created_at__lt=filters.start).count()
    )
    if from_rollup:
        created_sql, created_params = compiled(rollup_per_day(filters=filters, dimension="all"))
        resolved_sql, resolved_params = compiled(
            rollup_per_day(filters=filters, dimension="resolved")
        )
    else:
        created_sql, created_params = compiled(
            filters.tickets()
            .annotate(day=TruncDay("created_at"))
            .values("day")
            .annotate(n=Count("*"))
        )
        resolved_sql, resolved_params = compiled(
            scoped.filter(resolved_at__gte=filters.start, resolved_at__lt=filters.end)
            .annotate(day=TruncDay("resolved_at"))
            .values("day")
            .annotate(n=Count("*"))
        )
    rows = fetch_dicts(
        f"""
        SELECT day, SUM(c) AS created, SUM(r) AS resolved,
               SUM(SUM(c) - SUM(r)) OVER (ORDER BY day) AS net
        FROM (SELECT day, n AS c, 0 AS r FROM ({created_sql}) a
              UNION ALL SELECT day, 0 AS c, n AS r FROM ({resolved_sql}) b) u
        GROUP BY day ORDER BY day
        """,
        created_params + resolved_params,
    )
    by_day = {day_key(row["day"]): row for row in rows}
    series, net = [], 0
    for offset in range(filters.days):
        key = (filters.start + timedelta(days=offset)).strftime("%Y-%m-%d")
        row = by_day.get(key)
        if row is not None:
            net = int(row["net"])
        series.append(
            {
                "day": key,
                "created": int(row["created"]) if row else 0,
                "resolved": int(row["resolved"]) if row else 0,
                "backlog": backlog_start + net,
            }
        )
    return series


def report_overview(*, filters: ReportFilters, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    cohort = filters.tickets()
    source = "tickets"
    if rollup_usable(filters):
        source = "rollup"
        summary, tables = rollup_overview(filters=filters)
    elif supports_grouping_sets():
        summary, tables = breakdowns_grouping_sets(
            cohort=cohort, sla=sla_conditions(now), open_q=Q(status__in=OPEN_STATUSES)
        )
    else:
        metrics = ticket_metrics(now)
        summary = {key: tidy(value) for key, value in cohort.aggregate(**metrics).items()}
        tables = {
            name: tidy_rows(
                cohort.values(key=expr).annotate(**metrics).order_by("-tickets", "key")  # type: ignore[misc]  # annotated by **metrics
            )
            for name, expr in BREAKDOWN_FIELDS.items()
        }
    series = _series(filters, from_rollup=source == "rollup")
    summary["resolved_in_period"] = sum(row["resolved"] for row in series)
    summary["open_now"] = filters.scoped().filter(status__in=OPEN_STATUSES).count()
    summary["breaches"] = summary["fr_breached"] + summary["res_breached"]
    return {
        "report": "overview",
        "source": source,
        "filters": filters.as_dict(),
        "summary": summary,
        "series": series,
        "tables": tables,
    }
