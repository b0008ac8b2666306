from celery import shared_task

from .services import ticket_intake_deferred
from .services import ticket_intake_drain as drain


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def ticket_intake_run(ticket_id: str, explicit_priority: bool = False) -> bool:
    """Route, assign and start the SLA of one stored ticket (idempotent)."""
    return ticket_intake_deferred(ticket_id=ticket_id, explicit_priority=explicit_priority)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def ticket_intake_drain() -> int:
    """Take in every ticket the webhook stored and nobody has routed yet (see tickets.intake);
    also scheduled every minute as a safety net."""
    return drain()
