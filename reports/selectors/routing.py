"""Routing: whether the first decision stood, triage rate, Claude cost, AI resolution by confidence
and the AI agent's performance (answers sent, reopened, CSAT)."""

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db.models import Avg, Case, CharField, Count, F, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber, TruncDay

from agents.models import AIAction, AIResolutionAttempt
from routing.models import ClassificationLog

from ..filters import ReportFilters
from ..sql import compiled, day_key, fetch_dicts, pct, tidy, tidy_rows

CONFIDENCE_BANDS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]


def _band_expr(field: str) -> Case:
    return Case(
        *[
            When(
                Q(**{f"{field}__gte": low, f"{field}__lt": high}),
                then=Value(_band_label(low, high)),
            )
            for low, high in CONFIDENCE_BANDS
        ],
        default=Value("unknown"),
        output_field=CharField(),
    )


def _band_label(low: float, high: float) -> str:
    return f"{low:.1f}-{min(high, 1.0):.1f}"


def _first_decisions_sql(filters: ReportFilters) -> tuple[str, tuple]:
    """The first ClassificationLog row of each ticket created in the period (ROW_NUMBER over the
    ticket's logs), with the queue the ticket is in now.

    A ticket's logs are written after it exists, so `created_at >= start` on the logs loses
    nothing and lets PostgreSQL read the logs' created_at index instead of the whole table."""
    logs = (
        ClassificationLog.objects.filter(
            filters.scope_q("ticket__"),
            created_at__gte=filters.start,
            ticket__created_at__gte=filters.start,
            ticket__created_at__lt=filters.end,
        )
        .order_by()
        .annotate(
            rn=Window(
                RowNumber(), partition_by=F("ticket_id"), order_by=[F("created_at"), F("pk")]
            ),
            current_queue=F("ticket__queue__slug"),
        )
        .values("queue", "source", "model_version", "triaged", "current_queue", "rn")
    )
    return compiled(logs)


_DECISION_COLUMNS = """COUNT(*) AS decisions,
    SUM(CASE WHEN queue = current_queue THEN 1 ELSE 0 END) AS stood,
    CAST(SUM(CASE WHEN queue = current_queue THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100
        / NULLIF(COUNT(*), 0) AS stood_pct,
    SUM(CASE WHEN triaged THEN 1 ELSE 0 END) AS triaged_decisions,
    CAST(SUM(CASE WHEN triaged THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100
        / NULLIF(COUNT(*), 0) AS triage_pct"""


def _decisions(filters: ReportFilters) -> dict[str, list[dict]]:
    """Whether the first decision stood, overall, per first queue and per model: one statement."""
    sql, params = _first_decisions_sql(filters)
    rows = fetch_dicts(
        f"""
        WITH f AS (SELECT * FROM ({sql}) x WHERE rn = 1)
        SELECT 'all' AS grp, NULL AS first_queue, NULL AS source, NULL AS model_version,
               {_DECISION_COLUMNS} FROM f
        UNION ALL
        SELECT 'queue', queue, NULL, NULL, {_DECISION_COLUMNS} FROM f GROUP BY queue
        UNION ALL
        SELECT 'model', NULL, source, model_version, {_DECISION_COLUMNS}
        FROM f GROUP BY source, model_version
        """,
        params,
    )
    out: dict[str, list[dict]] = {"all": [], "queue": [], "model": []}
    for row in tidy_rows(rows):
        grp = row.pop("grp")
        for key in ("decisions", "stood", "triaged_decisions"):
            row[key] = int(row[key] or 0)
        if grp == "queue":
            row.pop("source"), row.pop("model_version")
        elif grp == "model":
            row.pop("first_queue")
        out[grp].append(row)
    for grp in ("queue", "model"):
        out[grp].sort(key=lambda r: (-r["decisions"], str(r.get("first_queue") or r["source"])))
    return out


def _cost_per_day(filters: ReportFilters) -> list[dict]:
    logs = ClassificationLog.objects.filter(
        created_at__gte=filters.start, created_at__lt=filters.end
    ).order_by()
    if filters.queue or filters.channel or filters.agent:
        logs = logs.filter(filters.scope_q("ticket__"))
    rows = (
        logs.annotate(day=TruncDay("created_at"))
        .values("day")
        .annotate(
            cost_usd=Coalesce(Sum("cost_usd"), Value(0), output_field=logs.model.cost_usd.field),
            claude_calls=Count("pk", filter=Q(source="claude")),
            input_tokens=Coalesce(Sum("input_tokens"), Value(0)),
            output_tokens=Coalesce(Sum("output_tokens"), Value(0)),
        )
        .order_by("day")
    )
    by_day = {day_key(row["day"]): row for row in rows}
    empty = {"cost_usd": 0.0, "claude_calls": 0, "input_tokens": 0, "output_tokens": 0}
    out: list[dict] = []
    for offset in range(filters.days):
        key = (filters.start + timedelta(days=offset)).strftime("%Y-%m-%d")
        row: Any = by_day.get(key, empty)
        out.append({"day": key, **{name: tidy(row[name]) for name in empty}})
    return out


def _ai_resolution(filters: ReportFilters) -> tuple[bool, list[dict]]:
    """AI resolution attempts by confidence band; `stayed_resolved` excludes reopened tickets."""
    try:
        model = apps.get_model("agents", "AIResolutionAttempt")
    except LookupError:
        return False, []
    names = {f.name for f in model._meta.get_fields()}
    if not {"confidence", "action", "ticket", "created_at"} <= names:
        return False, []
    attempts = model.objects.filter(
        filters.scope_q("ticket__"), created_at__gte=filters.start, created_at__lt=filters.end
    ).order_by()
    resolved = Q(action="resolved")
    rows = (
        attempts.annotate(band=_band_expr("confidence"))
        .values("band")
        .annotate(
            attempts=Count("pk"),
            resolved=Count("pk", filter=resolved),
            resolved_pct=pct(Count("pk", filter=resolved), Count("pk")),
            stayed_resolved=Count("pk", filter=resolved & Q(ticket__reopened_count=0)),
            review=Count("pk", filter=Q(action="review")),
            handoff=Count("pk", filter=Q(action="handoff")),
        )
        .order_by("band")
    )
    return True, tidy_rows(rows)


def _ai_performance(filters: ReportFilters) -> list[dict]:
    """What the AI agent's answers did, by action: attempts, answers sent to the customer, how
    many of those tickets were reopened, and their customers' ratings. One grouped query."""
    attempts = (
        AIResolutionAttempt.objects.filter(
            filters.scope_q("ticket__"), created_at__gte=filters.start, created_at__lt=filters.end
        )
        .exclude(action=AIAction.SUGGESTION)
        .order_by()
    )
    sent = Q(action__in=(AIAction.RESOLVED, AIAction.REVIEW))
    rows = (
        attempts.values("action")
        .annotate(
            attempts=Count("pk"),
            answers_sent=Count("pk", filter=sent),
            reopened=Count("pk", filter=sent & Q(ticket__reopened_count__gt=0)),
            reopened_pct=pct(
                Count("pk", filter=sent & Q(ticket__reopened_count__gt=0)),
                Count("pk", filter=sent),
            ),
            csat_ratings=Count("ticket__csat_score"),
            csat_avg=Avg("ticket__csat_score"),
        )
        .order_by("action")
    )
    return tidy_rows(rows)


def report_routing(*, filters: ReportFilters) -> dict:
    decisions = _decisions(filters)
    summary = {
        key: value
        for key, value in decisions["all"][0].items()
        if key not in ("first_queue", "source", "model_version")
    }
    cost = _cost_per_day(filters)
    summary["cost_usd"] = round(sum(row["cost_usd"] for row in cost), 6)
    ai_available, ai_rows = _ai_resolution(filters)
    return {
        "report": "routing",
        "filters": filters.as_dict(),
        "summary": summary,
        "ai_resolution_available": ai_available,
        "tables": {
            "by_queue": decisions["queue"],
            "by_model": decisions["model"],
            "cost_per_day": cost,
            "ai_resolution": ai_rows,
            "ai_performance": _ai_performance(filters),
        },
    }
