"""Every public reply reaches an e-mail customer by mail, threaded to their last message, from the
support address, with the ticket's token in the subject; internal notes never."""

import pytest
from django.core import mail
from django.test import Client

from journey.services import comment_add
from tickets.models import MailMessage
from tickets.tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_public_reply_is_mailed_threaded_and_a_note_is_not(
    agent, customer, settings, django_capture_on_commit_callbacks
):
    settings.HELPDESK_SUPPORT_ADDRESS = "help@desk.example"
    ticket = TicketFactory(customer=customer, customer_email="alice@example.com", channel="email")
    MailMessage.objects.create(ticket=ticket, direction="in", message_id="<first@mail.example>")

    with django_capture_on_commit_callbacks(execute=True):  # mail leaves after commit
        comment_add(ticket=ticket, user=agent.user, body="Internal: check the logs.", internal=True)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        first = comment_add(ticket=ticket, user=agent.user, body="We are on it.")
    with django_capture_on_commit_callbacks(execute=True):
        second = comment_add(ticket=ticket, user=agent.user, body="Fixed now.")

    assert [m.to for m in mail.outbox] == [["alice@example.com"], ["alice@example.com"]]
    one, two = mail.outbox
    assert one.from_email == "help@desk.example" and one.body == "We are on it."
    assert one.subject == f"Re: {ticket.subject} [#{ticket.ref}]"
    sent = {m.comment_id: m.message_id for m in MailMessage.objects.filter(direction="out")}
    assert one.extra_headers["Message-ID"] == sent[first.pk]
    assert one.extra_headers["In-Reply-To"] == "<first@mail.example>"
    assert one.extra_headers["References"] == "<first@mail.example>"
    assert two.extra_headers["In-Reply-To"] == "<first@mail.example>"  # the customer's last
    assert two.extra_headers["References"] == f"<first@mail.example> {sent[first.pk]}"
    assert sent[second.pk].endswith("@desk.example>")
    assert "Internal" not in "".join(m.body for m in mail.outbox)


def test_a_web_form_customer_gets_their_status_link_with_the_reply(
    agent, settings, django_capture_on_commit_callbacks
):
    settings.HELPDESK_PUBLIC_URL = "https://help.example.com"
    ticket = TicketFactory(customer=None, customer_email="visitor@example.com", channel="web")
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, user=agent.user, body="Try this.")
    [sent] = mail.outbox
    assert sent.to == ["visitor@example.com"]
    assert sent.body.startswith("Try this.\n\nFollow your request: https://help.example.com/")
    link = sent.body.rsplit(" ", 1)[1]
    page = Client().get(link.split(".com", 1)[1])  # the visitor follows it: their ticket
    assert page.status_code == 200 and "Try this." in page.content.decode()


def test_without_a_mail_server_each_mail_is_an_eml_file_and_readable_in_the_admin(
    agent, customer, settings, tmp_path, django_capture_on_commit_callbacks
):
    """`make run`'s outbox: every mail an .eml file a mail client opens, threaded; the outbox
    admin shows the same mail, escaped."""
    from email import message_from_bytes
    from email.policy import default

    from agents.models import Notification

    settings.EMAIL_BACKEND = "core.mailfiles.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    ticket = TicketFactory(customer=customer, customer_email="alice@example.com", channel="email")
    MailMessage.objects.create(ticket=ticket, direction="in", message_id="<first@mail.example>")
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, user=agent.user, body="Try <b>this</b> & tell us.")
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=ticket, user=agent.user, body="Anything else?")

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    first = message_from_bytes(files[0].read_bytes(), policy=default)
    row = Notification.objects.filter(backend="email").order_by("pk").first()
    assert row is not None and row.status == "sent"
    assert first["Message-ID"] == row.message_id and first["To"] == "alice@example.com"
    assert first["In-Reply-To"] == "<first@mail.example>"
    assert first["Subject"] == f"Re: {ticket.subject} [#{ticket.ref}]"
    assert first.get_body(("plain",)).get_content().strip() == "Try <b>this</b> & tell us."
    # the HTML alternative says the same, escaped: the agent's text never becomes markup
    assert "<p>Try &lt;b&gt;this&lt;/b&gt; &amp; tell us.</p>" in (
        first.get_body(("html",)).get_content()
    )

    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = staff.get(f"/admin/agents/notification/{row.pk}/change/").content.decode()
    assert "Mail as sent" in page
    assert "In-Reply-To: &lt;first@mail.example&gt;" in page
    assert "Try &lt;b&gt;this&lt;/b&gt; &amp; tell us." in page


def test_make_run_settings_write_mail_files_unless_a_server_is_named():
    import subprocess
    import sys

    def backend(**env):
        code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
        environ = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
            **env,
        }
        done = subprocess.run(
            [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert backend() == "core.mailfiles.EmlFileBackend"
    assert backend(EMAIL_HOST="smtp.example.com") == "django.core.mail.backends.smtp.EmailBackend"
