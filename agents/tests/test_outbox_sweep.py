"""The beat sweep that sends what lost tasks left pending: a retry whose Celery countdown died
with its worker is sent once its `next_attempt_at` is overdue, never before, never twice; the
sweep's query reads its own partial index."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from agents.models import Notification, NotificationStatus
from agents.services.notifications import (
    LOST_AFTER,
    notification_deliver,
    notification_enqueue,
    notifications_lost_resend,
    notifications_overdue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook(settings, fake_server):
    settings.HELPDESK_NOTIFICATION_WEBHOOK_URL = f"{fake_server.url}/hooks/helpdesk"
    settings.HELPDESK_NOTIFICATION_BACKOFF_SECONDS = 30
    return fake_server


def enqueue(ticket, dedupe="1") -> Notification:
    [row] = notification_enqueue(
        event="ticket.reassigned",
        ticket=ticket,
        audience="customer",
        dedupe=dedupe,
        title="New agent",
        body="Sam is on it",
        backends={"webhook"},
    )
    return row


def test_a_retry_whose_task_was_lost_is_sent_once_it_is_overdue(ticket, webhook):
    webhook.statuses = [503]
    row = enqueue(ticket)  # not committed: its task never runs, like one lost with a worker
    assert notification_deliver(notification_id=row.pk).retry_in == 30
    row.refresh_from_db()
    due = row.next_attempt_at

    assert notifications_lost_resend(now=due - timedelta(seconds=1)) == 0
    assert notifications_lost_resend(now=due + timedelta(minutes=1)) == 0  # the retry's turn
    assert len(webhook.requests) == 1
    assert notifications_lost_resend(now=due + LOST_AFTER + timedelta(seconds=1)) == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)
    assert len(webhook.requests) == 2
    assert notifications_lost_resend(now=due + 2 * LOST_AFTER) == 0


def test_sent_and_failed_rows_are_left_alone(ticket, webhook):
    sent, failed, lost = enqueue(ticket, "1"), enqueue(ticket, "2"), enqueue(ticket, "3")
    long_ago = timezone.now() - timedelta(hours=2)
    Notification.objects.update(created_at=long_ago, next_attempt_at=long_ago)
    Notification.objects.filter(pk=sent.pk).update(status=NotificationStatus.SENT)
    Notification.objects.filter(pk=failed.pk).update(status=NotificationStatus.FAILED)

    assert notifications_lost_resend() == 1
    assert webhook.json()["delivery"] == lost.key
    assert list(Notification.objects.order_by("pk").values_list("status", flat=True)) == [
        NotificationStatus.SENT,
        NotificationStatus.FAILED,
        NotificationStatus.SENT,
    ]


def test_a_row_the_sweep_queued_is_not_queued_again_while_its_task_waits(
    ticket, webhook, monkeypatch
):
    queued: list[int] = []  # a busy worker: the broker holds the task, nothing runs yet
    monkeypatch.setattr(
        "agents.services.notifications.enqueue_now", lambda name, pk: queued.append(pk)
    )
    row = enqueue(ticket)
    now = timezone.now() + LOST_AFTER + timedelta(seconds=1)

    assert notifications_lost_resend(now=now) == 1
    assert notifications_lost_resend(now=now + timedelta(minutes=1)) == 0
    assert notifications_lost_resend(now=now + LOST_AFTER + timedelta(seconds=1)) == 1
    assert queued == [row.pk, row.pk]  # queued again only after another full grace period


def test_the_sweep_reads_its_partial_index(ticket, webhook):
    long_ago = timezone.now() - timedelta(days=3)
    Notification.objects.bulk_create(
        Notification(
            key=f"webhook:old:{n}",
            backend="webhook",
            event="ticket.reassigned",
            recipient="https://example.com/hook",
            status=NotificationStatus.SENT,
        )
        for n in range(5000)
    )
    Notification.objects.update(created_at=long_ago)
    enqueue(ticket)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE agents_notification")

    plan = notifications_overdue(cutoff=timezone.now()).explain()
    assert "notification_due" in plan, plan
