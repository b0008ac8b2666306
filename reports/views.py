"""Report pages for managers: server-rendered tables, charts drawn in the browser from the same
JSON the API returns (embedded with json_script)."""

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from agents.models import Agent
from core.roles import user_role
from tickets.models import Channel, Queue

from .api import csv_or_error, report_or_error
from .filters import DEFAULT_DAYS
from .selectors import REPORTS

TITLES = {
    "overview": "Overview",
    "agents": "Agents",
    "routing": "Routing",
    "customers": "Customer health",
    "recurring": "Recurring issues",
    "csat": "Satisfaction",
    "sla": "SLA",
}

NOTES = {
    "agents": "Handling segments are timed from the moment each agent was given the ticket, not "
    "from its creation: when a ticket is reassigned, the first agent is measured on their stretch "
    "(and counted as having handed it on) and the next one from when they got it.",
    "sla": "Breach prediction: for every ticket whose SLA deadline fell in the period and has "
    "passed, was it predicted at risk (the SLA monitor's at-risk warning before the deadline, or "
    "for resolution a breach risk of 0.5 or more computed before it) and was the SLA breached? "
    "Precision: of the warnings, how many came true. Recall: of the breaches, how many were "
    "foreseen.",
}


def reports_index(request):
    return redirect("report-page", name="overview")


def _form_choices() -> dict:
    return {
        "queues": Queue.objects.order_by("name").values("slug", "name"),
        "channels": Channel.values,
        "agents": Agent.objects.select_related("user").order_by("user__username"),
        "day_choices": [7, 30, 90, 365],
    }


def report_page(request, name: str, as_csv: bool = False) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user_role(request.user) != "manager":
        return render(request, "reports/forbidden.html", status=403)
    if name not in REPORTS:
        raise Http404("No such report.")
    report, error = report_or_error(name, request.GET)
    if report is not None and (as_csv or request.GET.get("format") == "csv"):
        result = csv_or_error(report, request.GET.get("table"))
        if isinstance(result, HttpResponse):
            return result
        error = result
    query = {key: value for key, value in request.GET.items() if key not in ("format", "table")}
    context = {
        "name": name,
        "title": TITLES[name],
        "note": NOTES.get(name, ""),
        "titles": TITLES,
        "report": report,
        "errors": error[2] if error else {},
        "query": query,
        "querystring": urlencode(query),
        "default_days": DEFAULT_DAYS,
        **_form_choices(),
    }
    return render(request, "reports/report.html", context, status=error[0] if error else 200)
