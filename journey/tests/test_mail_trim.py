"""A customer's reply is stored without the quoted history and signature their mail client added,
in the quoting styles of common clients; the mail as received stays readable to agents on the
ticket page, escaped, and never reaches the customer's view."""

import pytest
from django.test import Client

from journey.mailparse import mail_parse
from tickets.models import Comment, MailMessage, Ticket
from tickets.tests.factories import TicketFactory

from .test_mail_in import post, raw_mail

pytestmark = pytest.mark.django_db

NEW = "The reset link works now, thank you."
QUOTED = [
    # Gmail
    "On Sat, 5 Dec 2026 at 14:02, Support <support@desk.example> wrote:\r\n> Try the link.",
    # Gmail, its attribution line wrapped
    "On Sat, Dec 5, 2026 at 2:02 PM Example Support Team <\r\nsupport@desk.example> wrote:\r\n"
    "> Try the link.",
    # Apple Mail
    "On 5. Dec 2026, at 14:02, Support <support@desk.example> wrote:\r\n\r\n> Try the link.",
    # Thunderbird
    "On 05/12/2026 14:02, Support wrote:\r\n> Try the link.",
    # Outlook (desktop and web)
    "________________________________\r\nFrom: Support <support@desk.example>\r\n"
    "Sent: Saturday, December 5, 2026 2:02 PM\r\nSubject: Re: Cannot log in\r\n\r\nTry the link.",
    "-----Original Message-----\r\nFrom: Support\r\nTry the link.",
    # German and French Gmail
    "Am Sa., 5. Dez. 2026 um 14:02 Uhr schrieb Support <support@desk.example>:\r\n> Try the link.",
    "Le sam. 5 déc. 2026 à 14:02, Support <support@desk.example> a écrit :\r\n> Try the link.",
    # signatures
    "-- \r\nAlice Example\r\nACME Corp, +1 555 0100",
    "Sent from my iPhone",
    "Von meinem iPhone gesendet",
    "Get Outlook for Android",
]


@pytest.mark.parametrize("tail", QUOTED)
def test_the_quoted_history_and_signature_of_common_clients_are_trimmed(tail):
    parsed = mail_parse(raw_mail(body=f"{NEW}\r\n\r\n{tail}"))
    assert parsed.text == NEW
    assert parsed.full_text.rstrip().endswith(tail.split("\r\n")[-1])  # kept as received


def test_words_that_only_look_like_a_signature_are_kept():
    body = "Sent from my phone but the app crashes when I pay.\r\n--\r\nno wait, also on the web"
    assert mail_parse(raw_mail(body=body)).text.startswith("Sent from my phone but the app")


def test_agents_can_read_the_full_mail_and_the_customer_sees_only_their_reply(agent, customer):
    ticket = TicketFactory(customer=customer, customer_email="alice@example.com")
    quote = "On Mon, Support wrote:\r\n> Try <marquee onmouseover=alert(1)>this</marquee> link."
    reply = raw_mail(
        message_id="<r9@mail.example>",
        subject=f"Re: Help [#{ticket.ref}]",
        body=f"{NEW}\r\n\r\n{quote}",
    )
    assert post(reply).status_code == 201
    comment = Comment.objects.get(ticket=ticket)
    assert comment.body == NEW
    stored = MailMessage.objects.get(comment=comment)
    assert stored.original.startswith(NEW) and "Try <marquee onmouseover" in stored.original

    staff = Client()
    staff.force_login(agent.user)
    page = staff.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert "Full mail as received" in page
    assert "&gt; Try &lt;marquee onmouseover=alert(1)&gt;this&lt;/marquee&gt; link." in page
    assert "<marquee" not in page

    mine = Client()
    mine.force_login(customer)
    for url in (f"/support/tickets/{ticket.pk}/", f"/api/v1/tickets/{ticket.pk}/comments/"):
        answer = mine.get(url)
        assert answer.status_code == 200, url
        assert NEW in answer.content.decode() and "Try &lt;script" not in answer.content.decode()
        assert (
            "Try <script" not in answer.content.decode()
            and "Full mail" not in answer.content.decode()
        )


def test_a_new_ticket_keeps_its_forwarded_history_for_agents(agent, settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    body = "My invoice is wrong.\r\n\r\n-----Original Message-----\r\nFrom: Billing\r\nOld text."
    assert post(raw_mail(body=body)).status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.body == "My invoice is wrong."
    staff = Client()
    staff.force_login(agent.user)
    page = staff.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert "Full mail as received" in page and "Old text." in page


def test_nothing_trimmed_keeps_no_second_copy(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    assert post(raw_mail(body="Just one line.")).status_code == 201
    assert MailMessage.objects.get().original == ""
