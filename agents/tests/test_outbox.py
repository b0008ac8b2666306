"""The outbox against a real SMTP server (aiosmtpd): thread headers as sent, a refusal retried
without loss or double sending, and the sweep that picks up rows a lost task left behind."""

import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone

from agents.models import Notification, NotificationStatus
from agents.services.notifications import notification_deliver, notifications_lost_resend
from journey.services import comment_add
from tickets.models import MailMessage
from tickets.services.attachments import incoming_bytes
from tickets.tests.factories import TicketFactory
from tickets.tests.files import PNG

pytestmark = pytest.mark.django_db


class Inbox:
    """An SMTP server's handler: keeps what it accepted; refuses the first `refuse` messages."""

    def __init__(self, refuse: int = 0):
        self.refuse = refuse
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.received.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    def start(refuse: int = 0) -> Inbox:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        inbox = Inbox(refuse)
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        return inbox

    started: list = []
    yield start
    for controller in started:
        controller.stop()


def test_a_reply_reaches_a_real_smtp_server_with_its_thread_headers(
    smtp, agent, settings, django_capture_on_commit_callbacks
):
    inbox = smtp()
    settings.HELPDESK_SUPPORT_ADDRESS = "help@desk.example"
    ticket = TicketFactory(customer_email="alice@example.com", channel="email")
    MailMessage.objects.create(ticket=ticket, direction="in", message_id="<q1@mail.example>")
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_add(ticket=ticket, user=agent.user, body="Here is the fix.")

    [received] = inbox.received
    assert received["From"] == "help@desk.example" and received["To"] == "alice@example.com"
    assert received["Subject"] == f"Re: {ticket.subject} [#{ticket.ref}]"
    assert received["Message-ID"] == MailMessage.objects.get(comment=comment).message_id
    assert received["In-Reply-To"] == "<q1@mail.example>"
    assert received.get_content_type() == "multipart/alternative"
    assert received.get_body(("plain",)).get_content().strip() == "Here is the fix."
    assert "<p>Here is the fix.</p>" in received.get_body(("html",)).get_content()


def test_the_agents_files_reach_the_customer_attached_to_the_mail(
    smtp, agent, settings, django_capture_on_commit_callbacks
):
    inbox = smtp()
    ticket = TicketFactory(customer_email="alice@example.com", channel="email")
    guide = incoming_bytes(name="reset-guide.pdf", data=b"%PDF-1.4\n" + b"x" * 2000)
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, user=agent.user, body="The guide is attached.", files=[guide])

    [received] = inbox.received
    assert received.get_content_type() == "multipart/mixed"
    assert received.get_body(("plain",)).get_content().strip() == "The guide is attached."
    [part] = list(received.iter_attachments())
    assert part.get_filename() == "reset-guide.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_content() == b"%PDF-1.4\n" + b"x" * 2000


def test_files_too_large_for_one_mail_are_named_in_it_not_attached(
    smtp, agent, settings, django_capture_on_commit_callbacks
):
    inbox = smtp()
    settings.HELPDESK_MAIL_ATTACHMENTS_MAX_BYTES = 3000
    ticket = TicketFactory(customer_email="alice@example.com", channel="email")
    files = [
        incoming_bytes(name="small.png", data=PNG),
        incoming_bytes(name="big.zip", data=b"PK\x03\x04" + b"z" * 5000),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, user=agent.user, body="Two files.", files=files)

    [received] = inbox.received
    assert [p.get_filename() for p in received.iter_attachments()] == ["small.png"]
    text = received.get_body(("plain",)).get_content()
    assert "Not attached, too large for mail: big.zip (4.9\xa0KB)" in text


def test_a_refusing_server_delays_the_mail_and_nothing_is_lost_or_sent_twice(smtp, agent):
    inbox = smtp(refuse=1)
    ticket = TicketFactory(customer_email="alice@example.com", channel="email")
    comment_add(ticket=ticket, user=agent.user, body="Here is the fix.")  # no commit: not sent
    row = Notification.objects.get(backend="email", event="ticket.reply")

    first = notification_deliver(notification_id=row.pk)
    assert (first.sent, first.retry_in is not None) == (False, True)  # 451: retried later
    assert notification_deliver(notification_id=row.pk).sent is True
    assert notification_deliver(notification_id=row.pk).sent is False  # already sent
    assert len(inbox.received) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)


def test_the_sweep_sends_what_a_lost_task_left_pending(agent):
    ticket = TicketFactory(customer_email="alice@example.com", channel="email")
    comment_add(ticket=ticket, user=agent.user, body="Lost task")  # its task never ran
    comment_add(ticket=ticket, user=agent.user, body="Fresh one")
    lost, fresh = Notification.objects.filter(backend="email").order_by("pk")
    Notification.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=6))

    assert notifications_lost_resend() == 1
    assert [m.body for m in mail.outbox] == ["Lost task"]
    assert notifications_lost_resend() == 0  # sent now; the fresh one's task may still come
    fresh.refresh_from_db()
    assert fresh.status == NotificationStatus.PENDING
