from celery import shared_task

from .services import ticket_intake_deferred


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def ticket_intake_run(ticket_id: str, explicit_priority: bool = False) -> bool:
    """Route, assign and start the SLA of a ticket the webhook stored (idempotent)."""
    return ticket_intake_deferred(ticket_id=ticket_id, explicit_priority=explicit_priority)
