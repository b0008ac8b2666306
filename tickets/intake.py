"""The intake doorbell: how a ticket stored by the ingestion fast path reaches a worker.

The work list is the database (`Ticket.intake_pending`), so nothing depends on a message
surviving. A request rings after its commit; the first ring while nobody rang publishes one
`ticket_intake_drain` task, the others cost one Redis `SET NX` and nothing else (no Celery
message per ticket). A drain clears the bell before it looks for work, so a ticket stored while
it runs either is seen by it or rings again. A lost task or a dead worker delays tickets until the
bell expires and the next ticket rings, or until the minute's scheduled drain (beat)."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

DOORBELL = "helpdesk:intake:doorbell"
DOORBELL_TTL = 10  # seconds; a bell whose task was lost stops blocking new rings after this


def ring(*, force: bool = False) -> None:
    """Make sure a drain task is on its way (after a commit; never fails the caller)."""
    try:
        if force:
            cache.delete(DOORBELL)
        if not cache.add(DOORBELL, 1, timeout=DOORBELL_TTL):
            return
        from .tasks import ticket_intake_drain

        ticket_intake_drain.delay()
    except Exception:  # Redis down: the ticket is stored and pending; the scheduled drain routes it
        logger.exception("intake doorbell not rung")


def doorbell_clear() -> None:
    try:
        cache.delete(DOORBELL)
    except Exception:
        logger.exception("intake doorbell not cleared")
