"""One selector per report; each takes parsed ReportFilters and returns a JSON-ready dict with
`report`, `filters`, optionally `summary` and `series`, and `tables` (name → list of flat rows)."""

from django.conf import settings
from django.db import connection, transaction

from ..filters import ReportFilters
from .agents import report_agents
from .csat import report_csat
from .customers import report_customers
from .overview import report_overview
from .recurring import report_recurring
from .routing import report_routing
from .sla import report_sla

REPORTS = {
    "overview": report_overview,
    "agents": report_agents,
    "routing": report_routing,
    "customers": report_customers,
    "recurring": report_recurring,
    "csat": report_csat,
    "sla": report_sla,
}


def report_run(*, name: str, filters: ReportFilters) -> dict:
    """Run one report in a read transaction; on PostgreSQL give its sorts (medians, grouping sets)
    enough memory to stay off disk, for this transaction only."""
    if connection.vendor != "postgresql":
        # SQLite (make run) opens transactions IMMEDIATE, i.e. with the write lock: read without.
        return REPORTS[name](filters=filters)
    with transaction.atomic():
        work_mem = getattr(settings, "HELPDESK_REPORTS_WORK_MEM", "64MB")
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        return REPORTS[name](filters=filters)


__all__ = ["REPORTS", "report_run"]
