"""How a ticket comes into being, whatever the channel, and how stored tickets are taken in.

`ticket_submit`: a customer's ticket from the API, the app or the web form, routed, assigned
and clocked inside the request (the app gets the routed ticket back). `ticket_ingest`: an
integration's ticket (the webhook; e-mail); with HELPDESK_INGEST_DEFERRED it is stored and
acknowledged at once and the intake drain takes it in from a worker right behind it, so a burst
is accepted at insert speed."""

import logging
import time
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from core.memo import config_memo
from live import realtime
from live.types import EventType
from tickets import services as tickets
from tickets.models import Ticket
from tickets.selectors import customer_for_email
from tickets.services import TicketCreateResult
from tickets.services.attachments import IncomingFile, attachments_check, attachments_store

from .. import doorbell, pipeline

logger = logging.getLogger(__name__)

# External ids the help desk makes itself: the app's retry keys (`app:<user id>:<key>`) and
# received mail (`mail:<Message-ID>`). An integration's id must not start with these, or a
# webhook could store a ticket under a customer's key (or a mail's id) before they do.
APP_ID_PREFIX = "app:"
MAIL_ID_PREFIX = "mail:"
RESERVED_ID_PREFIXES = (APP_ID_PREFIX, MAIL_ID_PREFIX)


def ticket_submit(
    *,
    subject: str,
    body: str,
    channel: str,
    customer: User | None = None,
    customer_email: str = "",
    external_id: str | None = None,
    context: dict | None = None,
    language: str = "",
    priority: str | None = None,
    created_at: datetime | None = None,
    files: Sequence[IncomingFile] = (),
) -> TicketCreateResult:
    """Store the ticket once per `external_id` (with its `files`) and take it in now (a given
    `priority` is kept). A retry with the same `external_id` stores no file twice."""
    attachments_check(files)
    with transaction.atomic():
        result = tickets.ticket_store(
            subject=subject,
            body=body,
            channel=channel,
            customer=customer,
            customer_email=customer_email,
            external_id=external_id,
            context=context,
            language=language,
            priority=priority,
            created_at=created_at,
        )
        if result.created:
            ticket = result.ticket
            attachments_store(ticket=ticket, comment=None, files=files, uploaded_by=customer)
            pipeline.ticket_intake(ticket=ticket, explicit_priority=priority is not None)
            realtime.publish(EventType.CREATED, ticket, {"status": ticket.status})
    return result


def ticket_ingest(
    *,
    external_id: str,
    channel: str,
    subject: str,
    body: str,
    customer_email: str,
    context: dict | None = None,
    language: str = "",
    account: dict | None = None,
    files: Sequence[IncomingFile] = (),
) -> TicketCreateResult:
    """An integration's ticket, once per `external_id`; the customer's user account is linked
    by e-mail, and `account` (plan, tier, mrr, billing_events) is stored for that e-mail before
    the ticket is routed. Deferred (HELPDESK_INGEST_DEFERRED): stored as pending, and the intake
    doorbell rings after the commit."""
    if account and customer_email:
        tickets.customer_account_update(email=customer_email, **account)
    attachments_check(files)
    if settings.HELPDESK_INGEST_DEFERRED:
        # the ticket and its files, or neither (without files: one statement, no savepoint)
        with transaction.atomic() if files else nullcontext():
            result = tickets.ticket_store_pending(
                subject=subject,
                body=body,
                channel=channel,
                customer_email=customer_email,
                external_id=external_id,
                context=context,
                language=language,
            )
            if result.created:
                attachments_store(ticket=result.ticket, comment=None, files=files, uploaded_by=None)
        if result.created:
            transaction.on_commit(doorbell.ring)
        return result
    return ticket_submit(
        subject=subject,
        body=body,
        channel=channel,
        customer=customer_for_email(email=customer_email) if customer_email else None,
        customer_email=customer_email,
        external_id=external_id,
        context=context,
        language=language,
        files=files,
    )


def ticket_intake_once(*, ticket_id: uuid.UUID | str) -> bool:
    """Take in one stored ticket; a retried or repeated call does nothing. Returns whether it
    ran."""
    with transaction.atomic():
        ticket = tickets.ticket_intake_lock(ticket_id=ticket_id)
        if ticket is None:
            return False
        _take_in(ticket)
    return True


def ticket_intake_drain(*, limit: int = 500) -> int:
    """Route, assign and start the SLA of waiting tickets (`intake_pending`), oldest first, one
    transaction each; workers running this at once share the list (SKIP LOCKED). A ticket whose
    intake fails stays pending (logged) for the next drain; nothing stored is lost. Returns how
    many were taken in."""
    doorbell.doorbell_clear()  # before looking: anything stored from now on rings again
    done, looked_again = 0, False
    failed: list[uuid.UUID] = []
    with config_memo():  # rules, phrases, SLA policies, calendars: read once per few seconds
        while done < limit:
            claimed = None
            try:
                with transaction.atomic():
                    claimed = tickets.ticket_intake_claim(skip=failed)
                    if claimed is not None:
                        _take_in(claimed)
            except Exception:
                if claimed is None:  # the database itself failed: let the task retry
                    raise
                logger.exception("intake of ticket %s failed; it stays pending", claimed.pk)
                failed.append(claimed.pk)
                continue
            if claimed is None:
                # Nothing waiting. One more look, more than the ring memo after the clear: a
                # process that skipped ringing had found the bell set within the memo before,
                # so some drain clears that bell later and looks again after this delay, which
                # is after the skipped ticket's commit (journey/doorbell.py).
                delay = doorbell.recheck_delay()
                if looked_again or not delay:
                    return done
                looked_again = True
                time.sleep(delay)
                continue
            done += 1
    doorbell.ring(force=True)  # more may be waiting: another drain takes over
    return done


def _take_in(ticket: Ticket) -> None:
    """Inside the caller's transaction, with the ticket locked. A pending ticket is announced
    now: `ticket.created` goes out after the intake's own events, as when a ticket is submitted
    (the workspace socket folds it into the `ticket.routed` just before it: one frame fewer per
    open workspace)."""
    pending = ticket.intake_pending
    if pending:
        tickets.ticket_intake_taken(ticket=ticket)
    pipeline.ticket_intake(ticket=ticket)
    if pending:
        realtime.publish(EventType.CREATED, ticket, {"status": ticket.status})
