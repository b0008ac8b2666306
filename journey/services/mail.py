"""A customer's mail into the journey: a reply to a ticket's thread becomes the customer's comment
on that ticket (resuming or reopening it as any reply does), anything else a new ticket with the
Message-ID as its idempotency key; auto-replies and bounces create nothing (a bounce of our own
mail marks that outbox row failed), and a sender over the hourly limit is dropped."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.services.notifications import mail_bounce_record
from tickets import services as tickets
from tickets.mail import ticket_for_reply
from tickets.models import AuthorKind, Channel, Comment, MailMessage, Ticket
from tickets.selectors import customer_for_email
from tickets.services.attachments import attachments_store
from tickets.text import normalise_body, normalise_line

from ..mailparse import InboundMail
from .conversation import customer_reply_follow_up
from .intake import ticket_ingest

logger = logging.getLogger(__name__)


@dataclass
class MailResult:
    ticket: Ticket | None = None
    comment: Comment | None = None
    created: bool = False  # False: this Message-ID was taken in before
    ignored: str = ""


def mail_receive(*, mail: InboundMail) -> MailResult:
    if mail.ignored == "bounce" and mail.bounced:
        mail_bounce_record(message_ids=mail.bounced, reason=mail.bounce_reason)
    if mail.ignored:
        return MailResult(ignored=mail.ignored)
    if not mail.message_id:
        return MailResult(ignored="no Message-ID")
    known = MailMessage.objects.filter(message_id=mail.message_id).first()
    if known is not None:
        return MailResult(ticket=known.ticket, comment=known.comment, created=False)
    if _flooding(mail.sender):
        logger.warning("Mail from %s dropped: over the hourly limit", mail.sender)
        return MailResult(ignored="flood")
    body = normalise_body(mail.text_with_notes, limit=settings.HELPDESK_MAX_BODY)
    original = normalise_body(mail.full_text, limit=settings.HELPDESK_MAX_BODY)
    original = "" if original == body else original  # kept only when something was trimmed
    ticket = ticket_for_reply(
        in_reply_to=mail.in_reply_to, references=mail.references, subject=mail.subject
    )
    if ticket is not None and ticket.status != "closed":
        try:
            return _reply(ticket, mail, body, original)
        except IntegrityError:  # the same mail, taken in at this very moment
            known = MailMessage.objects.get(message_id=mail.message_id)
            return MailResult(ticket=known.ticket, comment=known.comment, created=False)
    return _new_ticket(mail, body, original)


@transaction.atomic
def _new_ticket(mail: InboundMail, body: str, original: str) -> MailResult:
    """A new ticket from the mail, with its files, keyed by the Message-ID (all or nothing)."""
    result = ticket_ingest(
        external_id=f"mail:{mail.message_id}"[:255],
        channel=Channel.EMAIL,
        subject=normalise_line(mail.subject, limit=255) or "(no subject)",
        body=body,
        customer_email=mail.sender,
        files=mail.files,
    )
    MailMessage.objects.get_or_create(
        message_id=mail.message_id,
        defaults={
            "ticket": result.ticket,
            "direction": MailMessage.Direction.IN,
            "sender": mail.sender,
            "original": original,
        },
    )
    return MailResult(ticket=result.ticket, created=result.created)


def _flooding(sender: str) -> bool:
    """More mail from this address in the last hour than any person writes: a mail loop with an
    auto-responder that sends no auto-reply headers, or abuse. Its further mail is dropped."""
    limit = settings.HELPDESK_MAIL_SENDER_HOURLY_LIMIT
    if not limit:
        return False
    since = timezone.now() - timedelta(hours=1)
    recent = MailMessage.objects.filter(
        sender=sender, direction=MailMessage.Direction.IN, created_at__gte=since
    )
    return recent[:limit].count() >= limit


@transaction.atomic
def _reply(ticket: Ticket, mail: InboundMail, body: str, original: str) -> MailResult:
    ticket = tickets.ticket_lock(ticket)
    author = customer_for_email(email=mail.sender)
    comment = tickets.comment_write(
        ticket=ticket, author=author, author_kind=AuthorKind.CUSTOMER, body=body or "(empty)"
    )
    attachments_store(ticket=ticket, comment=comment, files=mail.files, uploaded_by=author)
    MailMessage.objects.create(
        ticket=ticket,
        comment=comment,
        direction=MailMessage.Direction.IN,
        message_id=mail.message_id,
        sender=mail.sender,
        original=original,
    )
    customer_reply_follow_up(ticket=ticket, user=author, comment=comment)
    return MailResult(ticket=ticket, comment=comment, created=True)
