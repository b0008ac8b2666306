"""Reads of the SLA app: which targets and which calendar apply to a ticket."""

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfoNotFoundError

from django.db.models import Max, Q

from core.memo import memoized
from tickets.models import Priority, Queue

from .calendar import ALWAYS_OPEN, Calendar, calendar_build
from .models import BusinessCalendar, SLAPolicy

logger = logging.getLogger(__name__)

# (first response, resolution) in minutes when no policy is configured.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (30, 4 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.NORMAL: (4 * 60, 24 * 60),
    Priority.LOW: (8 * 60, 48 * 60),
}
DEFAULT_AT_RISK_MINUTES = 30


@dataclass(frozen=True)
class Targets:
    first_response_minutes: int
    resolution_minutes: int
    at_risk_minutes: int
    policy_id: int | None = None


def sla_targets_for(*, queue: Queue | None, priority: str) -> Targets:
    """The queue's own active policy for the priority, else the queue-less one, else defaults
    (with the queue's `sla_hours` as the resolution target when it has one). Read once per
    batch inside `core.memo.config_memo`."""
    key = ("sla_targets", queue.pk if queue else None, queue.sla_hours if queue else None, priority)
    return memoized(key, lambda: _targets_read(queue, priority))


def _targets_read(queue: Queue | None, priority: str) -> Targets:
    queue_q = Q(queue__isnull=True) | (Q(queue=queue) if queue is not None else Q(pk__in=[]))
    policies = list(SLAPolicy.objects.filter(queue_q, priority=priority, is_active=True))
    policy = next((p for p in policies if p.queue_id is not None), None) or next(
        (p for p in policies if p.queue_id is None), None
    )
    if policy is not None:
        return Targets(
            first_response_minutes=policy.first_response_minutes,
            resolution_minutes=policy.resolution_minutes,
            at_risk_minutes=policy.at_risk_minutes,
            policy_id=policy.pk,
        )
    first, resolution = DEFAULT_TARGETS.get(priority, DEFAULT_TARGETS[Priority.NORMAL])
    if queue is not None and queue.sla_hours:
        resolution = queue.sla_hours * 60
    return Targets(
        first_response_minutes=first,
        resolution_minutes=resolution,
        at_risk_minutes=DEFAULT_AT_RISK_MINUTES,
    )


def calendar_for_queue(queue: Queue | None) -> Calendar:
    """The queue's business calendar as a plain value; no calendar means 24x7."""
    calendar_id = queue.calendar_id if queue is not None else None
    if calendar_id is None:
        return ALWAYS_OPEN
    return memoized(("calendar", calendar_id), lambda: _calendar_read(calendar_id))


def _calendar_read(calendar_id: int) -> Calendar:
    stored = BusinessCalendar.objects.get(pk=calendar_id)
    try:
        return calendar_build(
            timezone=stored.timezone,
            hours=stored.hours,
            holidays=stored.holidays.values_list("date", flat=True),
            is_24x7=stored.is_24x7,
        )
    except (ValueError, TypeError, AttributeError, ZoneInfoNotFoundError):
        # Saved around the admin's validation: a broken calendar must not stop intake.
        logger.exception("business calendar %s is invalid; counting 24x7", stored.pk)
        return ALWAYS_OPEN


def max_at_risk_minutes() -> int:
    """The widest at-risk window any ticket can have: bounds the monitor's index range scan."""
    widest = SLAPolicy.objects.filter(is_active=True).aggregate(m=Max("at_risk_minutes"))["m"]
    return max(widest or 0, DEFAULT_AT_RISK_MINUTES)
