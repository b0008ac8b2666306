"""Celery tasks of the journey: thin, id-taking, idempotent wrappers around its services."""

from celery import shared_task

from agents.resolution.calibration import reply_calibration_refit
from routing.calibration import claude_calibrations_refit

from .services.imap import mailboxes_poll as poll_mailboxes
from .services.intake import ticket_intake_drain as drain
from .services.resolution import ai_lost_tickets_return, ticket_ai_resolve


@shared_task(
    name="journey.tasks.ticket_intake_drain",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def ticket_intake_drain() -> int:
    """Take in every ticket the webhook stored and nobody has routed yet (journey/doorbell.py);
    also scheduled every minute as a safety net."""
    return drain()


@shared_task(name="journey.tasks.ai_resolution_run", acks_late=True)
def ai_resolution_run(ticket_id: str) -> str | None:
    attempt = ticket_ai_resolve(ticket_id=ticket_id)
    return attempt.action if attempt else None


@shared_task(name="journey.tasks.ai_lost_tickets_return", acks_late=True)
def ai_lost_tickets_return_task() -> int:
    """Beat, every 5 minutes (migration 0002): tickets whose AI run was lost go to a person."""
    return ai_lost_tickets_return()


@shared_task(name="journey.tasks.calibrations_refit", acks_late=True)
def calibrations_refit() -> str:
    """Nightly (migration 0003): refit Claude's and the AI agent's confidence maps on the
    latest outcomes (routing/calibration.py)."""
    done = claude_calibrations_refit()
    if reply_calibration_refit():
        done.append("ai_agent reply")
    return ", ".join(done) or "not enough outcomes yet"


@shared_task(name="journey.tasks.mailboxes_poll", acks_late=True)
def mailboxes_poll() -> dict[str, int]:
    """Every minute (migration 0005): new mail of the IMAP mailboxes into the journey."""
    return {slug: result.taken for slug, result in poll_mailboxes().items()}
