"""Notification backends against a real local HTTP server: formats, signatures, retries, idempotency."""

import hashlib
import hmac

import pytest
from django.core import mail

from agents.models import Notification, NotificationStatus
from agents.services.notifications import notification_deliver, notification_enqueue
from agents.tasks import notification_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook(settings, fake_server):
    settings.HELPDESK_NOTIFICATION_WEBHOOK_URL = f"{fake_server.url}/hooks/helpdesk"
    settings.HELPDESK_NOTIFICATION_WEBHOOK_SECRET = "s3cret"
    settings.HELPDESK_NOTIFICATION_BACKOFF_SECONDS = 30
    return fake_server


def enqueue(ticket, *, audience="customer", event="ticket.reassigned", dedupe="1"):
    return notification_enqueue(
        event=event,
        ticket=ticket,
        audience=audience,
        dedupe=dedupe,
        title="New agent",
        body="Sam is on it",
        data={"agent_id": 7},
    )


def only(rows, backend):
    return next(row for row in rows if row.backend == backend)


def test_nothing_is_sent_before_commit_and_everything_after(
    ticket, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(ticket)
    assert webhook.requests == [] and mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(webhook.requests) == 1
    assert [m.to for m in mail.outbox] == [[ticket.customer_email]]


def test_webhook_is_signed_with_hmac_sha256(ticket, webhook):
    row = only(enqueue(ticket), "webhook")
    assert notification_deliver(notification_id=row.pk).sent
    request = webhook.requests[0]
    assert request["path"] == "/hooks/helpdesk"
    expected = "sha256=" + hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Helpdesk-Signature"] == expected
    assert request["headers"]["X-Helpdesk-Event"] == "ticket.reassigned"
    assert request["headers"]["X-Helpdesk-Delivery"] == row.key
    body = webhook.json()
    assert body["ticket_id"] == str(ticket.pk) and body["data"] == {"agent_id": 7}


def test_failed_webhook_is_retried_with_exponential_backoff(ticket, webhook):
    webhook.statuses = [500, 503, 200]
    row = only(enqueue(ticket), "webhook")
    first = notification_deliver(notification_id=row.pk)
    second = notification_deliver(notification_id=row.pk)
    third = notification_deliver(notification_id=row.pk)
    assert (first.retry_in, second.retry_in) == (30, 60)
    assert third.sent
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 3
    assert len(webhook.requests) == 3
    # A retried task after success sends nothing more.
    assert not notification_deliver(notification_id=row.pk).sent
    assert len(webhook.requests) == 3


def test_the_celery_task_retries_until_delivered(ticket, webhook):
    webhook.statuses = [502, 200]
    row = only(enqueue(ticket), "webhook")
    notification_send.apply(args=[row.pk], throw=False)
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 2
    notification_send.apply(args=[row.pk], throw=False)
    assert len(webhook.requests) == 2


def test_gives_up_after_max_attempts_and_on_a_4xx(ticket, webhook, settings):
    settings.HELPDESK_NOTIFICATION_MAX_ATTEMPTS = 2
    webhook.statuses = [500, 500]
    row = only(enqueue(ticket), "webhook")
    assert notification_deliver(notification_id=row.pk).retry_in == 30
    assert notification_deliver(notification_id=row.pk).retry_in is None
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and "500" in row.last_error

    webhook.statuses = [410]
    gone = only(enqueue(ticket, dedupe="2"), "webhook")
    assert notification_deliver(notification_id=gone.pk).retry_in is None
    gone.refresh_from_db()
    assert gone.status == NotificationStatus.FAILED and gone.attempts == 1


def test_enqueueing_the_same_event_twice_makes_one_row(ticket, webhook):
    assert len(enqueue(ticket)) == 2  # e-mail and webhook
    assert enqueue(ticket) == []
    assert Notification.objects.count() == 2


def test_unreachable_server_is_a_retry_not_a_crash(ticket, settings):
    settings.HELPDESK_NOTIFICATION_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens"
    row = only(enqueue(ticket), "webhook")
    assert notification_deliver(notification_id=row.pk).retry_in is not None
