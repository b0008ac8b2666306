"""Celery tasks: thin, id-taking, idempotent wrappers around the services."""

from celery import shared_task

from .resolution.agent import ticket_suggest_reply
from .services import ticket_assign_waiting
from .services.notifications import notification_deliver, notifications_lost_resend


@shared_task(name="agents.tasks.assign_waiting_tickets")
def assign_waiting_tickets() -> int:
    """Beat runs this every minute (migration 0004); freed capacity enqueues it too."""
    return ticket_assign_waiting()


@shared_task(name="agents.tasks.suggest_reply")
def suggest_reply(ticket_id: str) -> bool:
    return ticket_suggest_reply(ticket_id=ticket_id)


@shared_task(name="agents.tasks.notification_send", bind=True, max_retries=None)
def notification_send(self, notification_id: int) -> bool:
    """Retries with exponential backoff; the outbox row makes a repeated run send nothing."""
    result = notification_deliver(notification_id=notification_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.sent


@shared_task(name="agents.tasks.notifications_lost_resend")
def notifications_lost_resend_task() -> int:
    """Beat, every 5 minutes (migration 0007): pending outbox rows whose task (first send or
    retry) was lost."""
    return notifications_lost_resend()
