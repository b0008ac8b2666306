"""The IMAP poller against a real IMAP server (Dovecot, tests/imap_server.py): new mail becomes
tickets and threaded replies once each, by UID; a crash between messages re-reads nothing and
skips nothing; a renumbered mailbox creates nothing twice; oversized mail and a bad password are
reported on the mailbox, not silently lost."""

import pytest
from django.test import Client

from journey.models import Mailbox
from journey.services import imap
from journey.services.imap import mailbox_poll, mailboxes_poll
from tests.imap_server import ImapServer, start
from tickets.models import Comment, MailMessage, Status, Ticket
from tickets.tests.factories import TicketFactory, UserFactory

from .test_mail_in import raw_mail

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def server():
    running = start()
    yield running
    running.stop()


@pytest.fixture
def box(server: ImapServer, settings, request):
    user = f"support-{request.node.name[:30]}".replace("[", "-").replace("]", "")
    settings.HELPDESK_INGEST_DEFERRED = False
    settings.HELPDESK_IMAP_PASSWORDS = {"HELPDESK_IMAP_PASSWORD_MAIN": server.password}
    mailbox = Mailbox.objects.create(
        slug="main", host=server.host, port=server.port, use_ssl=False, username=user
    )
    server.deliver(user, raw_mail(message_id="<seed@x>", subject="seed"))  # makes the INBOX
    assert mailbox_poll(mailbox_id=mailbox.pk).taken == 1
    Ticket.objects.all().delete()
    return mailbox


def test_new_mail_becomes_tickets_and_replies_once_each(server, box):
    ticket = TicketFactory(customer_email="alice@example.com", status=Status.RESOLVED)
    server.deliver(box.username, raw_mail(message_id="<n1@mail.example>", subject="Cannot pay"))
    server.deliver(
        box.username,
        raw_mail(
            message_id="<n2@mail.example>",
            subject=f"Re: Help [#{ticket.ref}]",
            body="Still broken.\r\n\r\nOn Monday, Support wrote:\r\n> Fixed?",
        ),
    )

    result = mailboxes_poll()["main"]

    assert (result.taken, result.error) == (2, "")
    new = Ticket.objects.get(subject="Cannot pay")
    assert (new.channel, new.customer_email) == ("email", "alice@example.com")
    comment = Comment.objects.get(ticket=ticket)
    assert comment.body == "Still broken."
    ticket.refresh_from_db()
    assert ticket.status != Status.RESOLVED  # the reply reopened it
    box.refresh_from_db()
    assert box.last_uid == 3 and box.last_polled_at is not None and box.last_error == ""
    assert mailbox_poll(mailbox_id=box.pk).taken == 0  # nothing new: nothing read again
    assert Ticket.objects.count() == 2 and Comment.objects.count() == 1


def test_a_crash_between_messages_rereads_nothing_and_skips_nothing(server, box, monkeypatch):
    for n in range(1, 4):
        server.deliver(box.username, raw_mail(message_id=f"<c{n}@x>", subject=f"Crash {n}"))
    real = imap.mail_receive
    calls = []

    def dies_on_the_second(*, mail):
        calls.append(mail.message_id)
        if len(calls) == 2:
            raise OSError("the worker lost its database connection")
        return real(mail=mail)

    monkeypatch.setattr(imap, "mail_receive", dies_on_the_second)
    first = mailbox_poll(mailbox_id=box.pk)
    assert first.taken == 1 and "lost its database" in first.error
    box.refresh_from_db()
    assert box.last_uid == 2 and "lost its database" in box.last_error
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Crash 1"]

    monkeypatch.setattr(imap, "mail_receive", real)
    assert mailbox_poll(mailbox_id=box.pk).taken == 2
    subjects = sorted(Ticket.objects.values_list("subject", flat=True))
    assert subjects == ["Crash 1", "Crash 2", "Crash 3"]
    assert MailMessage.objects.filter(message_id__in=["<c1@x>", "<c2@x>", "<c3@x>"]).count() == 3


def test_a_renumbered_mailbox_creates_nothing_twice(server, box):
    server.deliver(box.username, raw_mail(message_id="<r1@x>", subject="Before"))
    assert mailbox_poll(mailbox_id=box.pk).taken == 1
    box.refresh_from_db()
    validity = box.uid_validity
    server.recreate(box.username)  # the server lost its index: same mail, new numbers
    server.deliver(box.username, raw_mail(message_id="<r1@x>", subject="Before"))
    server.deliver(box.username, raw_mail(message_id="<r2@x>", subject="After"))
    assert mailbox_poll(mailbox_id=box.pk).taken == 2
    box.refresh_from_db()
    assert box.uid_validity != validity
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["After", "Before"]


def test_oversized_mail_is_skipped_and_reported(server, box, settings):
    settings.HELPDESK_MAIL_MAX_BYTES = 2000
    server.deliver(box.username, raw_mail(message_id="<big@x>", subject="Big", body="x" * 5000))
    server.deliver(box.username, raw_mail(message_id="<ok@x>", subject="Small"))
    result = mailbox_poll(mailbox_id=box.pk)
    assert (result.taken, result.skipped) == (1, 1)
    box.refresh_from_db()
    assert "skipped" in box.last_error and "HELPDESK_MAIL_MAX_BYTES" in box.last_error
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Small"]


def test_a_wrong_password_or_missing_one_is_shown_on_the_mailbox(server, box, settings):
    server.deliver(box.username, raw_mail(message_id="<p1@x>", subject="Waiting"))
    settings.HELPDESK_IMAP_PASSWORDS = {"HELPDESK_IMAP_PASSWORD_MAIN": "wrong"}
    assert "AUTHENTICATIONFAILED" in mailbox_poll(mailbox_id=box.pk).error.upper()
    settings.HELPDESK_IMAP_PASSWORDS = {}
    assert mailbox_poll(mailbox_id=box.pk).error == (
        "MailboxError: HELPDESK_IMAP_PASSWORD_MAIN is not set"
    )
    box.refresh_from_db()
    assert "HELPDESK_IMAP_PASSWORD_MAIN is not set" in box.last_error
    assert not Ticket.objects.exists()  # and nothing was lost: the mail is read once it works
    settings.HELPDESK_IMAP_PASSWORDS = {"HELPDESK_IMAP_PASSWORD_MAIN": server.password}
    assert mailbox_poll(mailbox_id=box.pk).taken == 1


def test_a_mailbox_being_read_is_not_read_by_a_second_poller(box):
    assert imap._lease_take(box.pk)
    assert mailbox_poll(mailbox_id=box.pk).error == "being read by another poller"


def test_the_admin_reads_a_mailbox_now_and_shows_its_password_state(server, box):
    server.deliver(box.username, raw_mail(message_id="<a1@x>", subject="From the admin"))
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = admin.get(f"/admin/journey/mailbox/{box.pk}/change/").content.decode()
    assert "HELPDESK_IMAP_PASSWORD_MAIN: set" in page
    answer = admin.post(
        "/admin/journey/mailbox/",
        {"action": "poll_now", "_selected_action": [box.pk]},
        follow=True,
    )
    assert "Main: 1 new message(s) read." in answer.content.decode()  # the admin's capfirst
    assert Ticket.objects.filter(subject="From the admin").exists()
