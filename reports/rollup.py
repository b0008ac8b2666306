"""The daily rollup behind long overview periods: refresh (a service) and read (a selector).

Only additive figures are rolled up (counts and sums); medians need every value, so an overview
served from the rollup gives them as null. A ticket's row changes until it is resolved, so the
task refreshes the last REFRESH_DAYS days every hour."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast, NullIf, TruncDate
from django.utils import timezone

from tickets.models import OPEN_STATUSES, Category, Queue, Ticket

from .filters import ReportFilters
from .models import DailyTicketStats
from .sla_outcomes import sla_conditions
from .sql import duration, pct, tidy_rows

DIMENSIONS = {
    "category": "category_id",
    "priority": "priority",
    "queue": "queue_id",
    "channel": "channel",
}
TABLES = {
    "category": "by_category",
    "priority": "by_priority",
    "queue": "by_queue",
    "channel": "by_channel",
}
REFRESH_DAYS = 45
COLUMNS = (
    "tickets",
    "resolved",
    "open",
    "fr_met",
    "fr_breached",
    "fr_compliance_pct",
    "res_met",
    "res_breached",
    "res_compliance_pct",
    "avg_first_response_s",
    "median_first_response_s",
    "avg_resolution_s",
    "median_resolution_s",
    "csat_avg",
    "csat_count",
)
SUMS = (
    "tickets",
    "resolved",
    "open",
    "fr_met",
    "fr_breached",
    "res_met",
    "res_breached",
    "frt_sum",
    "frt_count",
    "res_sum",
    "res_count",
    "csat_sum",
    "csat_count",
)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _measures(now: datetime) -> dict:
    sla = sla_conditions(now)
    frt, res = Q(first_response_at__isnull=False), Q(resolved_at__isnull=False)
    return {
        "tickets": Count("pk"),
        "resolved": Count("pk", filter=res),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        **{name: Count("pk", filter=condition) for name, condition in sla.items()},
        "frt_sum": Sum(duration("first_response_at"), filter=frt),
        "frt_count": Count("pk", filter=frt),
        "res_sum": Sum(duration("resolved_at"), filter=res),
        "res_count": Count("pk", filter=res),
        "csat_sum": Sum("csat_score"),
        "csat_count": Count("csat_score"),
    }


@transaction.atomic
def rollup_refresh(*, start: date | None = None, end: date | None = None) -> int:
    """Recompute the rows of days [start, end] (default: the last REFRESH_DAYS days up to today)
    from the tickets, in SQL. Idempotent: those days' rows are replaced. Every day gets an `all`
    row, even an empty one, which is how a reader knows a day is covered."""
    now = timezone.now()
    end = end or now.astimezone(UTC).date()
    start = start or end - timedelta(days=REFRESH_DAYS)
    tickets = (
        Ticket.objects.filter(
            created_at__gte=_midnight(start), created_at__lt=_midnight(end + timedelta(days=1))
        )
        .order_by()
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
    )
    measures = _measures(now)
    rows: list[DailyTicketStats] = []
    for dimension, field in DIMENSIONS.items():
        grouped = tickets.annotate(key=Cast(F(field), CharField())).values("day", "key")
        rows += [
            DailyTicketStats(
                dimension=dimension, **{k: v or (0 if k in SUMS else "") for k, v in row.items()}
            )
            for row in grouped.annotate(**measures)
        ]
    resolved = (
        Ticket.objects.filter(
            resolved_at__gte=_midnight(start), resolved_at__lt=_midnight(end + timedelta(days=1))
        )
        .order_by()
        .annotate(day=TruncDate("resolved_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("*"))
    )
    rows += [
        DailyTicketStats(dimension="resolved", key="", day=row["day"], tickets=row["n"])
        for row in resolved
    ]
    totals = {row["day"]: row for row in tickets.values("day").annotate(**measures)}
    span = (end - start).days + 1
    for day in (start + timedelta(days=offset) for offset in range(span)):
        row: Any = totals.get(day, {})
        rows.append(
            DailyTicketStats(
                dimension="all", key="", day=day, **{name: row.get(name) or 0 for name in SUMS}
            )
        )
    DailyTicketStats.objects.filter(day__gte=start, day__lte=end).delete()
    DailyTicketStats.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rollup_per_day(*, filters: ReportFilters, dimension: str):
    """(day, n) rows of one rollup dimension over the period: `all` = created, `resolved`."""
    return (
        DailyTicketStats.objects.filter(
            dimension=dimension, day__gte=filters.start.date(), day__lt=filters.end.date()
        )
        .order_by()
        .values("day", n=F("tickets"))
    )


def _derived() -> dict:
    """Aggregates over rollup rows, aliased with an `x_` prefix (an alias may not shadow the
    field it sums); `_unprefix` takes it off again."""
    return {f"x_{name}": expr for name, expr in _derived_plain().items()}


def _unprefix(row: dict) -> dict:
    return {key.removeprefix("x_"): value for key, value in row.items()}


def _derived_plain() -> dict:
    return {
        **{name: Sum(name) for name in SUMS if not name.endswith(("_sum", "_count"))},
        "fr_compliance_pct": pct(Sum("fr_met"), Sum("fr_met") + Sum("fr_breached")),
        "res_compliance_pct": pct(Sum("res_met"), Sum("res_met") + Sum("res_breached")),
        "avg_first_response_s": Sum("frt_sum") / NullIf(Sum("frt_count"), 0),
        "avg_resolution_s": Sum("res_sum") / NullIf(Sum("res_count"), 0),
        "csat_avg": Cast(Sum("csat_sum"), FloatField()) / NullIf(Sum("csat_count"), 0),
        "csat_count": Sum("csat_count"),
    }


def rollup_usable(filters: ReportFilters) -> bool:
    """Long, unscoped periods whose every day is in the rollup."""
    if filters.queue or filters.channel or filters.agent:
        return False
    if filters.days < getattr(settings, "HELPDESK_REPORTS_ROLLUP_MIN_DAYS", 60):
        return False
    covered = DailyTicketStats.objects.filter(
        dimension="all", day__gte=filters.start.date(), day__lt=filters.end.date()
    ).count()
    return covered == filters.days


def rollup_overview(*, filters: ReportFilters) -> tuple[dict, dict[str, list[dict]]]:
    """(summary, tables) like the live overview, from the rollup; medians are null."""
    stats = DailyTicketStats.objects.filter(
        day__gte=filters.start.date(), day__lt=filters.end.date()
    ).order_by()
    medians = {"median_first_response_s": None, "median_resolution_s": None}
    summary = {**_unprefix(stats.filter(dimension="all").aggregate(**_derived())), **medians}
    summary = tidy_rows([summary])[0]
    for name in (
        "tickets",
        "resolved",
        "open",
        "fr_met",
        "fr_breached",
        "res_met",
        "res_breached",
        "csat_count",
    ):
        summary[name] = int(summary[name] or 0)
    names = {
        "category": {str(pk): name for pk, name in Category.objects.values_list("pk", "name")},
        "queue": {str(pk): name for pk, name in Queue.objects.values_list("pk", "name")},
    }
    grouped = tidy_rows(
        map(
            _unprefix,  # type: ignore[arg-type]  # the stubs type these rows as two-key dicts
            stats.filter(dimension__in=DIMENSIONS)
            .values("dimension", "key")
            .annotate(**_derived()),
        )
    )
    tables: dict[str, list[dict]] = {name: [] for name in TABLES.values()}
    for row in grouped:
        dimension, key = row.pop("dimension"), row.pop("key")
        label = names[dimension].get(key) if dimension in names else key
        tables[TABLES[dimension]].append({"key": label or None, **row, **medians})
    for rows in tables.values():
        rows.sort(key=lambda r: (-r["tickets"], str(r["key"])))
    order = ["key", *COLUMNS]
    return (
        {name: summary[name] for name in COLUMNS},
        {name: [{c: row[c] for c in order} for row in rows] for name, rows in tables.items()},
    )
