"""SQL building blocks shared by the report selectors, for PostgreSQL and the SQLite of `make run`."""

import statistics
from datetime import date, datetime

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import Cast, NullIf


class Seconds(Func):
    """`end - start` in seconds, as a float."""

    arity = 2
    output_field = FloatField()

    def as_sql(
        self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context
    ):
        end, start = (compiler.compile(expr) for expr in self.get_source_expressions())
        sql = f"((julianday({end[0]}) - julianday({start[0]})) * 86400.0)"
        return sql, (*end[1], *start[1])

    def as_postgresql(self, compiler, connection, **extra_context):
        end, start = (compiler.compile(expr) for expr in self.get_source_expressions())
        return f"EXTRACT(EPOCH FROM ({end[0]} - {start[0]}))::double precision", (
            *end[1],
            *start[1],
        )


def duration(end: str, start: str = "created_at") -> Seconds:
    return Seconds(F(end), F(start))


class _SqliteMedian:
    def __init__(self):
        self.values: list[float] = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


class Median(Aggregate):
    """The median: `percentile_cont(0.5)` on PostgreSQL; on SQLite an aggregate registered on the
    connection (SQLite has no percentile function)."""

    name = "Median"
    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate("hd_median", 1, _SqliteMedian)
        return super().as_sql(
            compiler, connection, template="hd_median(%(expressions)s)", **extra_context
        )


def pct(numerator, denominator):
    """100 × numerator / denominator in SQL, NULL when the denominator is 0."""
    return Cast(numerator, FloatField()) * 100.0 / NullIf(denominator, 0)


def share(condition: Q, of: Q | None = None):
    """Percentage of rows (optionally among those matching `of`) that match `condition`."""
    base = Count("pk", filter=of) if of is not None else Count("pk")
    return pct(Count("pk", filter=condition & of if of is not None else condition), base)


def compiled(qs: QuerySet) -> tuple[str, tuple]:
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def fetch_dicts(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def seconds_sql(end: str, start: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start}))::double precision"
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


def day_key(value) -> str:
    """A truncated day as YYYY-MM-DD, whether the backend returned a datetime, date or string."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def tidy(value):
    """Round floats for display; keep None as None (JSON null)."""
    if isinstance(value, float):
        return round(value, 2)
    if hasattr(value, "quantize"):  # Decimal
        return round(float(value), 6)
    return value


def tidy_rows(rows) -> list[dict]:
    return [{key: tidy(value) for key, value in row.items()} for row in rows]


def median_sql(expression: str) -> str:
    """The median of `expression` in raw SQL: `percentile_cont(0.5)` on PostgreSQL, the
    aggregate registered on the connection on SQLite (as `Median` does for the ORM)."""
    if connection.vendor == "postgresql":
        return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {expression})"
    connection.ensure_connection()
    connection.connection.create_aggregate("hd_median", 1, _SqliteMedian)
    return f"hd_median({expression})"


def json_equals_sql(column: str) -> str:
    """`column = <a JSON value passed as its JSON text>`, for a JSONField column."""
    if connection.vendor == "postgresql":
        return f"{column} = CAST(%s AS jsonb)"
    return f"{column} = %s"
