"""CSAT: a signed one-click link per ticket and the service that records (or updates) the rating."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, NotFound
from tickets import events
from tickets.models import Ticket

CSAT_SALT = "reports.csat"
CSAT_SCORES = range(1, 6)


class CsatNotRateable(ApplicationError):
    status_code = 409
    code = "not_resolved"


@dataclass(frozen=True)
class CsatResult:
    ticket: Ticket
    score: int
    changed: bool


def csat_token(*, ticket: Ticket) -> str:
    return signing.dumps(str(ticket.pk), salt=CSAT_SALT, compress=False)


def csat_link(ticket: Ticket, score: int | None = None) -> str:
    """The rating link for a resolution mail or the app: `/csat/<token>/<score>`, absolute when
    HELPDESK_PUBLIC_URL is set. Without `score`, the page that offers all five."""
    token = csat_token(ticket=ticket)
    if score is None:
        path = reverse("csat-choose", kwargs={"token": token})
    else:
        path = reverse("csat-rate", kwargs={"token": token, "score": str(score)})
    return f"{getattr(settings, 'HELPDESK_PUBLIC_URL', '').rstrip('/')}{path}"


def csat_links(ticket: Ticket) -> dict[int, str]:
    """One link per score, for mail templates."""
    return {score: csat_link(ticket, score) for score in CSAT_SCORES}


def csat_ticket_from_token(*, token: str) -> Ticket:
    """The ticket a token was signed for; a bad, tampered or expired token is a 404."""
    max_age = timedelta(days=getattr(settings, "HELPDESK_CSAT_MAX_AGE_DAYS", 90))
    try:
        ticket_id = signing.loads(token, salt=CSAT_SALT, max_age=max_age)
        return Ticket.objects.get(pk=ticket_id)
    except (signing.BadSignature, Ticket.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("This rating link is not valid.") from exc


def csat_check(*, ticket: Ticket, score: int) -> None:
    """Raise what `csat_record` would refuse (a score outside 1-5, a ticket never resolved),
    writing nothing: the rating link's confirmation page asks only about what can be recorded."""
    if score not in CSAT_SCORES:
        raise ApplicationError(
            "The rating is a whole number from 1 to 5.", fields={"score": ["From 1 to 5."]}
        )
    if ticket.resolved_at is None and ticket.closed_at is None and ticket.reopened_count == 0:
        raise CsatNotRateable("This ticket has not been resolved yet.")


@transaction.atomic
def csat_record(*, ticket: Ticket, score: int) -> CsatResult:
    """Store the customer's rating; the same rating again changes nothing, another replaces it."""
    csat_check(ticket=ticket, score=score)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    csat_check(ticket=ticket, score=score)  # as locked
    if ticket.csat_score == score:
        return CsatResult(ticket=ticket, score=score, changed=False)
    before = ticket.csat_score
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(csat_score=score, csat_at=now, updated_at=now)
    ticket.csat_score, ticket.csat_at = score, now
    events.ticket_csat_rated_event(ticket=ticket, before=before, after=score)
    return CsatResult(ticket=ticket, score=score, changed=True)
