"""One selector per report; each takes parsed ReportFilters and returns a JSON-ready dict with
`report`, `filters`, optionally `summary` and `series`, and `tables` (name → list of flat rows)."""

from .agents import report_agents
from .csat import report_csat
from .customers import report_customers
from .overview import report_overview
from .recurring import report_recurring
from .routing import report_routing

REPORTS = {
    "overview": report_overview,
    "agents": report_agents,
    "routing": report_routing,
    "customers": report_customers,
    "recurring": report_recurring,
    "csat": report_csat,
}

__all__ = ["REPORTS"]
