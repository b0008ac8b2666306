"""Mail that must not make tickets, and what it tells us: a bounce of our own reply marks that
outbox row failed and shows on the ticket; a delay warning marks nothing; a sender that floods
is dropped after the hourly limit while everyone else is still heard."""

from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from agents.models import Notification
from journey.services import comment_add
from tickets.models import MailMessage, Ticket, TicketEvent
from tickets.tests.factories import TicketFactory

from .test_mail_in import post, raw_mail

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "mail"


def fixture(name: str, message_id: str) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"<ORIGINAL-MESSAGE-ID>", message_id.encode())


@pytest.fixture
def replied(agent, customer, settings, django_capture_on_commit_callbacks):
    """An e-mail ticket whose customer was sent an agent's reply."""
    settings.HELPDESK_SUPPORT_ADDRESS = "support@desk.example"
    ticket = TicketFactory(customer=customer, customer_email="alice@example.com", channel="email")
    MailMessage.objects.create(ticket=ticket, direction="in", message_id="<first@mail.example>")
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, user=agent.user, body="Please try the reset link.")
    [sent] = mail.outbox
    return ticket, sent.message()["Message-ID"]


def test_a_bounce_of_our_reply_marks_it_failed_and_tells_the_agent(replied, agent):
    ticket, message_id = replied
    row = Notification.objects.get(backend="email", ticket=ticket)
    assert (row.status, row.message_id) == ("sent", message_id)

    response = post(fixture("postfix_bounce.eml", message_id))

    assert (response.status_code, response.json()) == (202, {"ignored": "bounce"})
    row.refresh_from_db()
    assert row.status == "failed"
    assert row.last_error.startswith("bounced: alice@example.com 5.1.1 smtp; 550 5.1.1")
    assert "User unknown" in row.last_error
    event = TicketEvent.objects.get(ticket=ticket, kind="mail_bounced")
    assert event.after == "alice@example.com" and "5.1.1" in event.reason
    assert Ticket.objects.count() == 1  # the bounce made no ticket
    assert post(fixture("postfix_bounce.eml", message_id)).status_code == 202  # sent again
    assert TicketEvent.objects.filter(kind="mail_bounced").count() == 1

    client = Client()
    client.force_login(agent.user)
    page = client.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert "mail bounced: alice@example.com" in page and "User unknown" in page


def test_a_bounce_returning_the_whole_message_is_understood(replied):
    ticket, message_id = replied
    raw = fixture("postfix_bounce.eml", message_id).replace(
        b"Content-Type: text/rfc822-headers", b"Content-Type: message/rfc822"
    )
    assert post(raw).status_code == 202
    assert Notification.objects.get(backend="email", ticket=ticket).status == "failed"


def test_a_delay_warning_marks_nothing(replied):
    ticket, message_id = replied
    response = post(fixture("exim_delayed.eml", message_id))
    assert (response.status_code, response.json()) == (202, {"ignored": "bounce"})
    assert Notification.objects.get(backend="email", ticket=ticket).status == "sent"
    assert not TicketEvent.objects.filter(kind="mail_bounced").exists()


def test_a_bounce_naming_mail_we_never_sent_changes_nothing(replied):
    ticket, _ = replied
    assert post(fixture("postfix_bounce.eml", "<someone-else@elsewhere>")).status_code == 202
    assert Notification.objects.get(backend="email", ticket=ticket).status == "sent"


def test_a_flooding_sender_is_dropped_after_the_hourly_limit(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    settings.HELPDESK_MAIL_SENDER_HOURLY_LIMIT = 3
    answers = [post(raw_mail(message_id=f"<loop{i}@mail.example>")) for i in range(5)]
    assert [a.status_code for a in answers] == [201, 201, 201, 202, 202]
    assert answers[3].json() == {"ignored": "flood"}
    assert Ticket.objects.filter(customer_email="alice@example.com").count() == 3
    # a repeat of a mail taken in is still answered as before, and others are still heard
    assert post(raw_mail(message_id="<loop0@mail.example>")).status_code == 200
    other = raw_mail(message_id="<bob1@mail.example>").replace(
        b"Alice Example <Alice@Example.com>", b"bob@example.com"
    )
    assert post(other).status_code == 201


def test_replies_count_toward_the_limit_too(settings):
    """An auto-responder without auto-reply headers answering our replies: a loop on one ticket."""
    settings.HELPDESK_MAIL_SENDER_HOURLY_LIMIT = 2
    ticket = TicketFactory(customer_email="alice@example.com")
    token = f"Re: {ticket.subject} [#{ticket.ref}]"
    answers = [post(raw_mail(message_id=f"<r{i}@x>", subject=token)) for i in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 202]
    assert ticket.comments.count() == 2


def test_every_outgoing_mail_row_has_the_message_id_it_is_sent_with(
    settings, django_capture_on_commit_callbacks
):
    from agents.services.notifications import mail_digest_enqueue

    with django_capture_on_commit_callbacks(execute=True):
        [row] = mail_digest_enqueue(
            event="sla.digest", key="k1", recipients=["boss@desk.example"], title="T", body="B"
        )
    [sent] = mail.outbox
    assert row.message_id and sent.message()["Message-ID"] == row.message_id
