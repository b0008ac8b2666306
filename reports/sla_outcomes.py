"""What met and breached mean for each SLA clock, as conditions on a ticket. The live report
selectors and the daily rollup both count with these, so a period reads the same from either."""

from datetime import datetime

from django.db.models import F, Q

from tickets.models import SlaState


def sla_conditions(now: datetime) -> dict[str, Q]:
    """Met and breached, per SLA clock. A ticket with a running clock that is not yet due is
    neither, so compliance is met / (met + breached)."""
    fr_due = Q(sla_first_response_due__isnull=False)
    res_due = Q(sla_resolution_due__isnull=False)
    return {
        "fr_met": fr_due
        & Q(first_response_at__lte=F("sla_first_response_due"))
        & ~Q(sla_first_response_state=SlaState.BREACHED),
        "fr_breached": fr_due
        & (
            Q(sla_first_response_state=SlaState.BREACHED)
            | Q(first_response_at__gt=F("sla_first_response_due"))
            | Q(first_response_at__isnull=True, sla_first_response_due__lt=now)
        ),
        "res_met": res_due
        & Q(resolved_at__lte=F("sla_resolution_due"))
        & ~Q(sla_resolution_state=SlaState.BREACHED),
        "res_breached": res_due
        & (
            Q(sla_resolution_state=SlaState.BREACHED)
            | Q(resolved_at__gt=F("sla_resolution_due"))
            | Q(resolved_at__isnull=True, sla_resolution_due__lt=now)
        ),
    }
