"""The notification outbox: rows written in the caller's transaction, sent from Celery after commit.

Each (backend, event, dedupe key, recipient) is one `Notification` row with a unique key, so
enqueueing twice creates nothing new and a retried task finds the row already `sent`. Sending
locks the row, so two workers never send the same row at once."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.jobs import enqueue_now, enqueue_on_commit
from core.roles import MANAGERS_GROUP
from tickets.access import ticket_status_link
from tickets.events import ticket_mail_bounced_event
from tickets.mail import new_message_id, outgoing_headers, reply_subject
from tickets.models import Channel, Comment, Ticket

from ..models import Notification, NotificationStatus, PushDevice, PushPlatform
from ..notifications import backend_named, configured_backends
from ..notifications.base import (
    Audience,
    DeliveryError,
    Message,
    PermanentDeliveryError,
    RecipientGoneError,
)
from .devices import push_device_prune


def _audience(*, ticket: Ticket, audience: str) -> Audience:
    result = Audience()
    if audience == "customer":
        if ticket.customer_email:
            result.emails.append(ticket.customer_email)
        devices = (
            PushDevice.objects.filter(user_id=ticket.customer_id).values_list("platform", "token")
            if ticket.customer_id
            else []
        )
        pairs = list(devices)
        context = ticket.context or {}
        if context.get("push_token"):
            platform: str = (
                PushPlatform.IOS if context.get("platform") == "ios" else PushPlatform.ANDROID
            )
            pairs.append((platform, context["push_token"]))
        for platform, token in pairs:
            target = result.ios_tokens if platform == PushPlatform.IOS else result.android_tokens
            if token not in target:
                target.append(token)
    elif audience == "managers":
        emails = (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(groups__name=MANAGERS_GROUP))
            .filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        result.emails.extend(sorted(emails))
    elif audience == "agent" and ticket.assigned_agent:
        email = ticket.assigned_agent.user.email
        if email:
            result.emails.append(email)
        phones = PushDevice.objects.filter(user_id=ticket.assigned_agent.user_id).order_by("pk")
        for platform, token in phones.values_list("platform", "token"):
            target = result.ios_tokens if platform == PushPlatform.IOS else result.android_tokens
            target.append(token)
    return result


def notification_enqueue(
    *,
    event: str,
    ticket: Ticket,
    audience: str,
    dedupe: str,
    title: str,
    body: str,
    data: dict | None = None,
    backends: set[str] | None = None,
) -> list[Notification]:
    """Write one outbox row per backend (all configured, or those named in `backends`) and
    recipient, and send each after commit."""
    people = _audience(ticket=ticket, audience=audience)
    created: list[Notification] = []
    for backend in configured_backends():
        if backends is not None and backend.name not in backends:
            continue
        for recipient in backend.recipients(people):
            key = f"{backend.name}:{event}:{ticket.pk}:{dedupe}:{recipient}"[:255]
            row_data, message_id = _with_message_id(backend.name, data or {})
            try:
                with transaction.atomic():
                    row = Notification.objects.create(
                        key=key,
                        backend=backend.name,
                        event=event,
                        recipient=recipient,
                        message_id=message_id,
                        ticket=ticket,
                        payload={"title": title, "body": body, "data": row_data},
                    )
            except IntegrityError:
                continue
            created.append(row)
    for row in created:
        enqueue_on_commit("agents.tasks.notification_send", row.pk)
    return created


def _with_message_id(backend: str, data: dict) -> tuple[dict, str]:
    """A mail row's data with the Message-ID it goes out with (the thread's own, else a new one),
    so that a bounce naming it finds the row."""
    if backend != "email":
        return data, ""
    headers = dict(data.get("mail_headers") or {})
    message_id = headers.setdefault("Message-ID", new_message_id())
    return {**data, "mail_headers": headers}, message_id


@dataclass
class DeliveryResult:
    sent: bool
    retry_in: int | None = None


PUSH_PLATFORMS = {"apns": PushPlatform.IOS, "fcm": PushPlatform.ANDROID}
MAX_RETRY_AFTER = 24 * 3600  # a receiver's Retry-After is honoured up to a day


def backoff_seconds(attempts: int) -> int:
    """30 s, 60 s, 120 s, ... (doubling, capped at one hour)."""
    base = getattr(settings, "HELPDESK_NOTIFICATION_BACKOFF_SECONDS", 30)
    return int(min(base * 2 ** max(attempts - 1, 0), 3600))


@transaction.atomic
def notification_deliver(*, notification_id: int) -> DeliveryResult:
    """Send one outbox row unless it was sent already; a failure schedules the next attempt."""
    row = (
        Notification.objects.select_for_update(skip_locked=True)
        .filter(pk=notification_id, status=NotificationStatus.PENDING)
        .first()
    )
    if row is None:
        return DeliveryResult(sent=False)
    backend = backend_named(row.backend)
    max_attempts = settings.HELPDESK_NOTIFICATION_MAX_ATTEMPTS
    row.attempts += 1
    if backend is None:
        row.status, row.last_error = NotificationStatus.FAILED, f"no backend {row.backend!r}"
        row.save(update_fields=["attempts", "status", "last_error"])
        return DeliveryResult(sent=False)
    message = Message(
        key=row.key,
        event=row.event,
        recipient=row.recipient,
        title=row.payload.get("title", ""),
        body=row.payload.get("body", ""),
        ticket_id=str(row.ticket_id) if row.ticket_id else None,
        data=row.payload.get("data", {}),
    )
    try:
        backend.send(message)
    except DeliveryError as exc:
        row.last_error = str(exc)[:2000]
        if isinstance(exc, RecipientGoneError):
            _recipient_forget(row)
        if isinstance(exc, PermanentDeliveryError) or row.attempts >= max_attempts:
            row.status = NotificationStatus.FAILED
            row.save(update_fields=["attempts", "status", "last_error"])
            return DeliveryResult(sent=False)
        delay = max(backoff_seconds(row.attempts), min(exc.retry_after or 0, MAX_RETRY_AFTER))
        row.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        return DeliveryResult(sent=False, retry_in=delay)
    row.status, row.sent_at = NotificationStatus.SENT, timezone.now()
    row.save(update_fields=["attempts", "status", "sent_at"])
    return DeliveryResult(sent=True)


def _recipient_forget(row: Notification) -> None:
    """The provider says a push token is dead (app uninstalled): the phone is forgotten, and the
    rows still waiting for it fail now instead of each asking the provider again."""
    platform = PUSH_PLATFORMS.get(row.backend)
    if platform is None:
        return
    push_device_prune(platform=platform, token=row.recipient)
    Notification.objects.filter(
        backend=row.backend, recipient=row.recipient, status=NotificationStatus.PENDING
    ).exclude(pk=row.pk).update(
        status=NotificationStatus.FAILED, last_error=f"device gone: {row.last_error}"[:2000]
    )


def customer_resolution_notify(
    *, ticket: Ticket, rating_links: dict[int, str]
) -> list[Notification]:
    """Tell the customer their ticket is resolved, with one-click satisfaction links (mail) and
    the same links in the push/webhook data (in-app). Once per resolution: a reopened and
    resolved-again ticket asks again."""
    lines = [f"Your request “{ticket.subject}” has been resolved.", "", "How did we do?"]
    lines += [f"{score}/5: {link}" for score, link in sorted(rating_links.items())]
    return notification_enqueue(
        event="ticket.resolved",
        ticket=ticket,
        audience="customer",
        dedupe=f"resolved-{ticket.reopened_count}",
        title=f"Resolved: {ticket.subject}",
        body="\n".join(lines),
        data={"csat": {str(score): link for score, link in rating_links.items()}},
    )


def customer_reply_notify(*, ticket: Ticket, comment: Comment) -> list[Notification]:
    """A public reply reaches the customer: by mail when they have an address (threaded to their
    last message, subject carrying `[#<ref>]`; with the status link for a web-form ticket), by
    push too when they wrote from the app, and to the integration's webhook. Once per comment."""
    backends = {"email", "webhook"}
    if ticket.channel == Channel.IN_APP:
        backends |= {"fcm", "apns"}
    headers = outgoing_headers(ticket=ticket, comment=comment) if ticket.customer_email else {}
    body = comment.body
    if ticket.channel == Channel.WEB:  # the web form's customer follows it on its status page
        body += f"\n\nFollow your request: {ticket_status_link(ticket_id=ticket.pk)}"
    return notification_enqueue(
        event="ticket.reply",
        ticket=ticket,
        audience="customer",
        dedupe=f"comment-{comment.pk}",
        title=reply_subject(ticket),
        body=body,
        data={
            "comment_id": comment.pk,
            "mail_headers": headers,
            "attachments": [str(pk) for pk in comment.attachments.values_list("pk", flat=True)],
        },
        backends=backends,
    )


LOST_AFTER = timedelta(minutes=5)


def notifications_overdue(*, cutoff: datetime) -> QuerySet[Notification]:
    """Pending rows due before `cutoff`, oldest due first: a row is due at its `next_attempt_at`
    (a retry's time) or, never tried, at its creation. The partial index `notification_due` is
    this expression over pending rows, so the sweep reads only what it sends."""
    return (
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .alias(due=Coalesce("next_attempt_at", "created_at"))
        .filter(due__lt=cutoff)
        .order_by("due")
    )


def notifications_lost_resend(*, now: datetime | None = None, limit: int = 1000) -> int:
    """The outbox's safety net (beat, every 5 minutes): pending rows whose send task was lost
    (a dead worker, a broker restart) are queued again, whether the first send never ran or a
    retry's `next_attempt_at` passed without it (Celery's countdown died with its worker). They
    get `LOST_AFTER` of grace, since the task normally gets there first. Each queued row is
    marked due now, so a sweep that comes again before a busy worker ran the task does not queue
    it twice; sending locks the row and sends only a pending one, so nothing goes out twice.
    Returns how many were queued."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            notifications_overdue(cutoff=now - LOST_AFTER)
            .select_for_update(skip_locked=True)  # one being sent right now is not waited for
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(next_attempt_at=now)
    for pk in ids:
        enqueue_now("agents.tasks.notification_send", pk)
    return len(ids)


def mail_digest_enqueue(
    *, event: str, key: str, recipients: list[str], title: str, body: str
) -> list[Notification]:
    """A mail about many tickets (an SLA digest) through the outbox: one row per recipient,
    sent after commit with the outbox's retries; `key` makes enqueueing it twice a no-op."""
    created = []
    for recipient in dict.fromkeys(recipients):
        data, message_id = _with_message_id("email", {})
        row, made = Notification.objects.get_or_create(
            key=f"email:{event}:{key}:{recipient}"[:255],
            defaults={
                "backend": "email",
                "event": event,
                "recipient": recipient,
                "message_id": message_id,
                "payload": {"title": title, "body": body, "data": data},
            },
        )
        if made:
            created.append(row)
            enqueue_on_commit("agents.tasks.notification_send", row.pk)
    return created


@transaction.atomic
def mail_bounce_record(*, message_ids: list[str], reason: str) -> list[Notification]:
    """A delivery failure report names mail we sent: those outbox rows are marked failed with the
    report's reason, and a customer's ticket records that its reply never reached them. Rows
    already marked by an earlier copy of the report are left as they are."""
    rows = list(
        Notification.objects.select_for_update(of=("self",))
        .filter(backend="email", message_id__in=[m for m in message_ids if m])
        .exclude(status=NotificationStatus.FAILED, last_error__startswith="bounced:")
        .select_related("ticket")
    )
    for row in rows:
        row.status = NotificationStatus.FAILED
        row.last_error = f"bounced: {reason}"[:2000]
        row.save(update_fields=["status", "last_error"])
        if row.ticket is not None:
            ticket_mail_bounced_event(
                ticket=row.ticket, recipient=row.recipient, reason=reason, message_id=row.message_id
            )
    return rows
