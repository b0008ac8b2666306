"""Fault: the SMTP server refuses mail for 10 minutes (first 5 minutes the port is closed,
then it answers 451). Simulated time: the clock (django.utils.timezone.now) moves in 10 s
ticks over 20 minutes; the worker runs each send task when its countdown (the backoff the
outbox wrote to `next_attempt_at`) is due, and beat runs the lost-task sweep every 5 minutes.
One retry is lost with its worker on purpose: the sweep sends that one. Every mail waits in
the outbox and goes out exactly once after the server accepts again, within the attempts."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from agents.models import Notification, NotificationStatus
from agents.services import notifications
from agents.services.notifications import notification_deliver, notifications_lost_resend
from agents.tests.test_outbox import Inbox
from journey.services import comment_add
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

OUTAGE = timedelta(minutes=10)
TICK = timedelta(seconds=10)
SWEEP_EVERY = timedelta(minutes=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RefusingInbox(Inbox):
    """Answers 451 while `refusing`; keeps what it accepted."""

    refusing = True

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refusing:
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


def test_mail_waits_out_a_ten_minute_smtp_outage_and_goes_out_once(agent, settings, monkeypatch):
    inbox = RefusingInbox()
    port, closed_port = free_port(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "127.0.0.1", 2
    start = timezone.now()
    clock = [start]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    queue: list[tuple] = []  # the worker's scheduled tasks: (due, notification id)
    monkeypatch.setattr(notifications, "enqueue_now", lambda name, pk: queue.append((clock[0], pk)))
    try:
        tickets = [
            TicketFactory(customer_email=f"c{i}@example.com", channel="email") for i in range(5)
        ]
        for ticket in tickets:
            comment_add(ticket=ticket, user=agent.user, body=f"Answer for {ticket.ref}")
        rows = list(Notification.objects.filter(backend="email"))
        assert len(rows) == 5
        queue.extend((start, row.pk) for row in rows)  # each reply's send task
        lost_one = rows[0].pk
        attempts_seen: dict[int, int] = {}
        next_sweep = start + SWEEP_EVERY
        while clock[0] - start <= timedelta(minutes=20):
            outage = clock[0] - start < OUTAGE
            settings.EMAIL_PORT = closed_port if clock[0] - start < OUTAGE / 2 else port
            inbox.refusing = outage
            due = [item for item in queue if item[0] <= clock[0]]
            for item in due:
                queue.remove(item)
                result = notification_deliver(notification_id=item[1])
                if result.retry_in is not None:
                    attempts_seen[item[1]] = attempts_seen.get(item[1], 0) + 1
                    if item[1] == lost_one and attempts_seen[item[1]] == 2:
                        continue  # the worker holding this countdown was killed: only beat knows
                    queue.append((clock[0] + timedelta(seconds=result.retry_in), item[1]))
            if clock[0] >= next_sweep:
                notifications_lost_resend(now=clock[0])
                next_sweep += SWEEP_EVERY
            clock[0] += TICK
    finally:
        controller.stop()

    sent = Notification.objects.filter(backend="email").order_by("pk")
    assert [row.status for row in sent] == [NotificationStatus.SENT] * 5
    assert all(row.sent_at >= start + OUTAGE for row in sent)
    assert all(row.attempts <= settings.HELPDESK_NOTIFICATION_MAX_ATTEMPTS for row in sent)
    assert sorted(m["To"] for m in inbox.received) == sorted(t.customer_email for t in tickets)
    assert len({m["Message-ID"] for m in inbox.received}) == 5  # nothing sent twice
