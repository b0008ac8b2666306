"""Writes of the SLA clocks: start, pause, resume, stop, recompute, first response.

`helpdesk.pipeline` calls these; they never call back into it. Deadlines are counted in the
business time of the ticket's queue calendar: resolution due = created + target + paused time."""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from tickets import events
from tickets.models import Status, Ticket

from .calendar import ALWAYS_OPEN, business_add, business_seconds
from .models import TicketSLA
from .selectors import calendar_for_queue, sla_targets_for

logger = logging.getLogger(__name__)

# Statuses in which the resolution clock does not run. A resolved ticket that is reopened resumes
# its clock as after a pause; a closed one never runs again.
STOPPED_STATUSES = {Status.PENDING_CUSTOMER, Status.RESOLVED, Status.CLOSED}

_DEADLINE_FIELDS = [
    "sla_first_response_due",
    "sla_resolution_due",
    "sla_first_response_state",
    "sla_resolution_state",
    "sla_paused_at",
    "updated_at",
]


def _reached(*, due: datetime | None, risk_at: datetime | None, now: datetime) -> int:
    if due is None:
        return 0
    if due <= now:
        return 2
    return 1 if risk_at is not None and risk_at <= now else 0


def _apply_deadlines(*, ticket: Ticket, clock: TicketSLA, now: datetime) -> None:
    """Deadlines from the clock's targets; a level already fired stays fired unless the new
    deadline moved back out of reach (then it may fire again for the new deadline)."""
    calendar = calendar_for_queue(ticket.queue)
    start = ticket.created_at
    try:
        fr_due = business_add(calendar, start, clock.first_response_minutes * 60)
        res_due = business_add(
            calendar, start, clock.resolution_minutes * 60 + clock.paused_seconds
        )
    except ValueError:  # a calendar that is (almost) never open: count around the clock
        logger.exception("no business hours for ticket %s; counting 24x7", ticket.pk)
        fr_due = business_add(ALWAYS_OPEN, start, clock.first_response_minutes * 60)
        res_due = business_add(
            ALWAYS_OPEN, start, clock.resolution_minutes * 60 + clock.paused_seconds
        )
    window = timedelta(minutes=clock.at_risk_minutes)
    clock.first_response_risk_at = fr_due - window
    clock.resolution_risk_at = res_due - window
    ticket.sla_first_response_due = fr_due
    ticket.sla_resolution_due = res_due
    if ticket.first_response_at is None:
        ticket.sla_first_response_state = min(
            ticket.sla_first_response_state,
            _reached(due=fr_due, risk_at=clock.first_response_risk_at, now=now),
        )
    ticket.sla_resolution_state = min(
        ticket.sla_resolution_state,
        _reached(due=res_due, risk_at=clock.resolution_risk_at, now=now),
    )


def _set_targets(*, ticket: Ticket, clock: TicketSLA) -> None:
    targets = sla_targets_for(queue=ticket.queue, priority=ticket.priority)
    clock.policy_id = targets.policy_id
    clock.first_response_minutes = targets.first_response_minutes
    clock.resolution_minutes = targets.resolution_minutes
    clock.at_risk_minutes = targets.at_risk_minutes


def _clock(ticket: Ticket) -> TicketSLA | None:
    return TicketSLA.objects.filter(ticket=ticket).first()


def sla_clock_start(*, ticket: Ticket, now: datetime | None = None) -> TicketSLA:
    """Give a ticket its targets and deadlines (the last step of intake)."""
    now = now or timezone.now()
    found = _clock(ticket)
    new = found is None
    clock = TicketSLA(ticket=ticket) if found is None else found
    _set_targets(ticket=ticket, clock=clock)
    _apply_deadlines(ticket=ticket, clock=clock, now=now)
    clock.save(force_insert=new)  # a new clock: one INSERT, not an UPDATE that finds nothing first
    ticket.save(update_fields=_DEADLINE_FIELDS)
    events.ticket_sla_started_event(ticket=ticket, policy_id=clock.policy_id)
    return clock


def sla_deadlines_recompute(
    *, ticket: Ticket, now: datetime | None = None, reason: str = ""
) -> TicketSLA:
    """Priority or queue changed: new targets, same start and same paused time."""
    now = now or timezone.now()
    clock = _clock(ticket)
    if clock is None:
        return sla_clock_start(ticket=ticket, now=now)
    before = (ticket.sla_first_response_due, ticket.sla_resolution_due)
    _set_targets(ticket=ticket, clock=clock)
    _apply_deadlines(ticket=ticket, clock=clock, now=now)
    clock.save()
    ticket.save(update_fields=_DEADLINE_FIELDS)
    events.ticket_sla_recomputed_event(
        ticket=ticket, reason=reason or f"priority {ticket.priority}", before=before
    )
    return clock


def sla_clock_pause(*, ticket: Ticket, now: datetime | None = None) -> None:
    """The resolution clock stops (waiting on the customer, or resolved)."""
    if ticket.sla_paused_at is not None:
        return
    ticket.sla_paused_at = now or timezone.now()
    ticket.save(update_fields=["sla_paused_at", "updated_at"])


def sla_clock_resume(*, ticket: Ticket, now: datetime | None = None) -> None:
    """The clock runs again; the deadline moves by the business time spent paused."""
    if ticket.sla_paused_at is None:
        return
    now = now or timezone.now()
    clock = _clock(ticket)
    paused_at = ticket.sla_paused_at
    ticket.sla_paused_at = None
    if clock is None:
        ticket.save(update_fields=["sla_paused_at", "updated_at"])
        return
    try:
        paused = business_seconds(calendar_for_queue(ticket.queue), paused_at, now)
    except ValueError:
        paused = (now - paused_at).total_seconds()
    clock.paused_seconds += max(paused, 0.0)
    _apply_deadlines(ticket=ticket, clock=clock, now=now)
    clock.save()
    ticket.save(update_fields=_DEADLINE_FIELDS)


def sla_status_changed(*, ticket: Ticket, before: str, after: str) -> None:
    """Pause on pending_customer, stop on resolved/closed, resume when work starts again."""
    if after == Status.RESOLVED:
        # Time spent waiting on the customer does not count against the resolution target.
        _resolution_outcome_record(ticket=ticket, now=ticket.sla_paused_at or timezone.now())
    if after in STOPPED_STATUSES and before not in STOPPED_STATUSES:
        sla_clock_pause(ticket=ticket)
    elif before in STOPPED_STATUSES and after not in STOPPED_STATUSES:
        sla_clock_resume(ticket=ticket)


def sla_first_response_mark(*, ticket: Ticket) -> bool | None:
    """The first public reply arrived: met if it came by its deadline."""
    if ticket.first_response_at is None or ticket.sla_first_response_due is None:
        return None
    met = ticket.first_response_at <= ticket.sla_first_response_due
    TicketSLA.objects.filter(ticket=ticket).update(first_response_met=met)
    events.ticket_sla_outcome_event(
        ticket=ticket, deadline="first_response", met=met, due=ticket.sla_first_response_due
    )
    return met


def _resolution_outcome_record(*, ticket: Ticket, now: datetime) -> None:
    if ticket.sla_resolution_due is None:
        return
    met = now <= ticket.sla_resolution_due
    TicketSLA.objects.filter(ticket=ticket).update(resolution_met=met)
    events.ticket_sla_outcome_event(
        ticket=ticket, deadline="resolution", met=met, due=ticket.sla_resolution_due
    )
