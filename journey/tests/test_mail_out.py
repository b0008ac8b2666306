"""Every public reply reaches an e-mail customer by mail, threaded to their last message, from the
support address, with the ticket's token in the subject; internal notes never."""

import pytest
from django.core import mail
from django.test import Client

from journey.services import comment_add
from tickets.models import MailMessage
from tickets.tests.factories import TicketFactory

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
