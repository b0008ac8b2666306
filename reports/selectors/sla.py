"""SLA: compliance per clock, and the breach prediction scored against what happened.

Prediction, per clock, over the tickets whose deadline fell in the period and has passed (so the
outcome is known: met or breached, as `sla_outcomes` defines them):
- predicted at risk: the SLA monitor fired its at-risk warning for that clock (an `escalated`
  event with `state: at_risk`) before the deadline; for the resolution clock also a `breach_risk`
  of at least RISK_THRESHOLD that was written before the deadline (the monitor writes 1.0 once a
  deadline has passed, so a value in [threshold, 1) is a prediction, 1.0 is hindsight);
- precision = predicted and breached / predicted; recall = predicted and breached / breached.
"""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from tickets.models import Ticket, TicketEvent

from ..filters import ReportFilters
from ..sla_outcomes import sla_conditions
from ..sql import pct, tidy_rows

RISK_THRESHOLD = 0.5  # the workspace's "at risk" list uses the same line
CLOCKS = {"first_response": "First response", "resolution": "Resolution"}


def _warned(clock: str) -> Exists:
    return Exists(
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"),
            kind=TicketEvent.Kind.ESCALATED,
            data__state="at_risk",
            data__deadline=clock,
            created_at__lt=OuterRef(f"sla_{clock}_due"),
        )
    )


def prediction_scores(*, filters: ReportFilters, now: datetime | None = None) -> list[dict]:
    """One row per clock: the counts behind precision and recall, and the two rates."""
    now = now or timezone.now()
    outcome = sla_conditions(now)
    rows = []
    for clock, name in CLOCKS.items():
        short = "fr" if clock == "first_response" else "res"
        met, breached = outcome[f"{short}_met"], outcome[f"{short}_breached"]
        predicted = Q(warned=True)
        if clock == "resolution":
            predicted |= Q(breach_risk__gte=RISK_THRESHOLD, breach_risk__lt=1.0)
        due = f"sla_{clock}_due"
        counts = (
            Ticket.objects.filter(
                filters.scope_q(),
                **{f"{due}__gte": filters.start, f"{due}__lt": min(filters.end, now)},
            )
            .order_by()
            .annotate(warned=_warned(clock))
            .aggregate(
                decided=Count("pk", filter=met | breached),
                breached=Count("pk", filter=breached),
                predicted=Count("pk", filter=predicted & (met | breached)),
                predicted_and_breached=Count("pk", filter=predicted & breached),
                predicted_but_met=Count("pk", filter=predicted & met),
                breached_unpredicted=Count("pk", filter=~predicted & breached),
                precision_pct=pct(
                    Count("pk", filter=predicted & breached),
                    Count("pk", filter=predicted & (met | breached)),
                ),
                recall_pct=pct(
                    Count("pk", filter=predicted & breached), Count("pk", filter=breached)
                ),
            )
        )
        rows.append({"clock": name, **counts})
    return tidy_rows(rows)


def _compliance(outcome: dict) -> dict:
    """Met, breached and the compliance percentage of each clock, as aggregate expressions."""
    columns: dict = {}
    for clock in ("fr", "res"):
        met, breached = outcome[f"{clock}_met"], outcome[f"{clock}_breached"]
        columns[f"{clock}_met"] = Count("pk", filter=met)
        columns[f"{clock}_breached"] = Count("pk", filter=breached)
        columns[f"{clock}_compliance_pct"] = pct(
            Count("pk", filter=met), Count("pk", filter=met | breached)
        )
    return columns


def report_sla(*, filters: ReportFilters) -> dict:
    now = timezone.now()
    outcome = sla_conditions(now)
    tickets = filters.tickets()
    compliance = _compliance(outcome)
    summary = tickets.aggregate(**compliance)
    by_priority = (
        tickets.values("priority").annotate(tickets=Count("pk"), **compliance).order_by("priority")
    )
    return {
        "report": "sla",
        "filters": filters.as_dict(),
        "summary": tidy_rows([summary])[0],
        "risk_threshold": RISK_THRESHOLD,
        "tables": {
            "prediction": prediction_scores(filters=filters, now=now),
            "by_priority": tidy_rows(by_priority),
        },
    }
