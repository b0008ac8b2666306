"""Signed status links: an anonymous visitor who opened a ticket by e-mail may follow it."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "helpdesk.ticket-status"
MAX_AGE = 60 * 60 * 24 * 90  # a status link works for 90 days


def status_token_make(*, ticket_id) -> str:
    return signing.dumps(str(ticket_id), salt=SALT, compress=True)


def status_token_ticket_id(*, token: str) -> str | None:
    """The ticket id a valid, unexpired token names; None for anything else."""
    try:
        return signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def ticket_status_link(*, ticket_id: object) -> str:
    """The customer's page of the ticket, signed; absolute when HELPDESK_PUBLIC_URL is set."""
    path = reverse("customer:status", args=[status_token_make(ticket_id=ticket_id)])
    return f"{settings.HELPDESK_PUBLIC_URL.rstrip('/')}{path}"
