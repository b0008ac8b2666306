"""Recurring issues: categories, sub-categories, tags and subject terms growing fastest this period
against the period of the same length before it."""

import math
from datetime import datetime

from django.db import connection
from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Cast

from tickets.models import Category

from ..filters import ReportFilters
from ..sql import compiled, fetch_dicts, pct, tidy_rows

LIMIT = 20
TERMS_SAMPLE = 5000
MIN_TERM_LENGTH = 3


def _growth(qs: QuerySet, field: str, current: Q) -> list[dict]:
    """Categories (or sub-categories) by growth. Grouped by id, which is cheaper than by name for
    the ~80,000 tickets of two 30-day periods at a million; the ≤ 20 names are looked up after."""
    cur = Count("pk", filter=current)
    prev = Count("pk", filter=~current)
    rows = tidy_rows(
        qs.filter(**{f"{field}__isnull": False})
        .values(group_id=F(field))
        .annotate(current=cur, previous=prev)
        .annotate(
            growth=Cast(F("current") - F("previous"), IntegerField()),
            growth_pct=pct(F("current") - F("previous"), F("previous")),
        )
        .order_by("-growth", "-current", "group_id")[:LIMIT]
    )
    names = dict(
        Category.objects.filter(pk__in=[row["group_id"] for row in rows]).values_list("pk", "name")
    )
    return [{"name": names.get(row.pop("group_id")), **row} for row in rows]


def _grow_sql(inner_sql: str, params: tuple, start: datetime, scale: int = 1) -> list[dict]:
    """Rank (name, created_at) rows of `inner_sql` by growth, in SQL (counts × `scale`)."""
    return tidy_rows(
        fetch_dicts(
            f"""
            SELECT name, current, previous, current - previous AS growth,
                   CAST(current - previous AS DOUBLE PRECISION) * 100
                       / NULLIF(previous, 0) AS growth_pct
            FROM (SELECT name,
                         {scale} * SUM(CASE WHEN created_at >= %s THEN 1 ELSE 0 END) AS current,
                         {scale} * SUM(CASE WHEN created_at < %s THEN 1 ELSE 0 END) AS previous
                  FROM ({inner_sql}) x GROUP BY name) g
            ORDER BY growth DESC, current DESC, name LIMIT {LIMIT}
            """,
            (start, start, *params),
        )
    )


def _tags(both: QuerySet, start: datetime) -> list[dict]:
    sql, params = compiled(both.values("tags", "created_at"))
    if connection.vendor == "postgresql":
        inner = (
            f"SELECT jsonb_array_elements_text(t.tags) AS name, t.created_at "
            f"FROM ({sql}) t WHERE jsonb_typeof(t.tags) = 'array'"
        )
    else:
        inner = (
            f"SELECT j.value AS name, t.created_at FROM ({sql}) t, json_each(t.tags) j "
            f"WHERE json_type(t.tags) = 'array'"
        )
    return _grow_sql(inner, params, start)


def _terms(both: QuerySet, start: datetime) -> tuple[bool, int, list[dict]]:
    """Subject words (English stemming, stop words dropped) via PostgreSQL full-text search.

    Parsing subjects is the one costly step, so above TERMS_SAMPLE tickets only every k-th ticket
    (by a hash of its id, the same tickets on every run) is parsed and the counts are scaled by k.
    Returns (available, k, rows)."""
    if connection.vendor != "postgresql":
        return False, 1, []
    k = max(1, math.ceil(both.count() / TERMS_SAMPLE))
    sql, params = compiled(both.values("id", "subject", "created_at"))
    inner = (
        f"SELECT w AS name, t.created_at FROM ({sql}) t, "
        f"unnest(tsvector_to_array(to_tsvector('english', t.subject))) AS w "
        f"WHERE mod(abs(hashtext(t.id::text)), {k}) = 0 "
        f"AND length(w) >= {MIN_TERM_LENGTH} AND w !~ '^[0-9]+$'"
    )
    return True, k, _grow_sql(inner, params, start, scale=k)


def report_recurring(*, filters: ReportFilters) -> dict:
    previous = filters.previous()
    both = ReportFilters(
        start=previous.start,
        end=filters.end,
        queue=filters.queue,
        channel=filters.channel,
        agent=filters.agent,
    ).tickets()
    current = Q(created_at__gte=filters.start)
    terms_available, terms_scale, terms = _terms(both, filters.start)
    return {
        "report": "recurring",
        "filters": filters.as_dict(),
        "previous": {"start": previous.as_dict()["start"], "end": previous.as_dict()["end"]},
        "terms_available": terms_available,
        "terms_sampled_every": terms_scale,
        "tables": {
            "categories": _growth(both, "category_id", current),
            "subcategories": _growth(both, "subcategory_id", current),
            "tags": _tags(both, filters.start),
            "terms": terms,
        },
    }
