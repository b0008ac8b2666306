"""The intake doorbell: how a ticket stored by the ingestion fast path reaches a worker.

The work list is the database (`Ticket.intake_pending`), so nothing depends on a message
surviving. A request rings after its commit; the first ring while nobody rang publishes one
`journey.tasks.ticket_intake_drain` task, the others cost one Redis `SET NX` and nothing else (no Celery
message per ticket). A drain clears the bell before it looks for work, so a ticket stored while
it runs either is seen by it or rings again. A lost task or a dead worker delays tickets until the
bell expires and the next ticket rings, or until the minute's scheduled drain (beat).

Under a burst a process does not even ask Redis again within `HELPDESK_INTAKE_RING_MEMO`
seconds of its last ring (the bell was there, or it set it): a drain is then on its way, and
it looks for work once more at least that long after clearing the bell before it stops, so a
ticket whose ring was skipped is still seen by it (the proof is in `journey.intake.ticket_intake_drain`)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from core.jobs import enqueue_now

logger = logging.getLogger(__name__)

DOORBELL = "helpdesk:intake:doorbell"
DRAIN_TASK = "journey.tasks.ticket_intake_drain"
DOORBELL_TTL = 10  # seconds; a bell whose task was lost stops blocking new rings after this
_rung_at = float("-inf")  # this process's last ring that found or set the bell (monotonic)


def ring(*, force: bool = False) -> None:
    """Make sure a drain task is on its way (after a commit; never fails the caller)."""
    global _rung_at
    now = time.monotonic()
    if not force and now - _rung_at < settings.HELPDESK_INTAKE_RING_MEMO:
        return  # a drain is on its way and will look again after this ticket's commit
    try:
        if force:
            cache.delete(DOORBELL)
        added = cache.add(DOORBELL, 1, timeout=DOORBELL_TTL)
        _rung_at = now
        if not added:
            return
        enqueue_now(DRAIN_TASK)
    except Exception:  # Redis down: the ticket is stored and pending; the scheduled drain routes it
        logger.exception("intake doorbell not rung")


def recheck_delay() -> float:
    """How long a drain waits before its last look for work (longer than the ring memo)."""
    memo = settings.HELPDESK_INTAKE_RING_MEMO
    return 2 * memo if memo > 0 else 0.0


def doorbell_clear() -> None:
    try:
        cache.delete(DOORBELL)
    except Exception:
        logger.exception("intake doorbell not cleared")
