"""Customers' replies as common mail clients really send them (journey/tests/mail/*.eml: Gmail,
Outlook, Apple Mail on the iPhone, Thunderbird, a webmail whose reply lost its thread headers) and
a new HTML-only ISO-8859-1 mail, posted through the inbound webhook: each reply lands on its ticket
as the customer's comment holding exactly what they wrote, decoded, without the quoted history or
signature; the mail as received stays for agents; a second delivery changes nothing."""

from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from journey.mailparse import mail_parse
from tickets.models import Comment, MailMessage, Status, Ticket
from tickets.tests.factories import TicketFactory, UserFactory

from .test_mail_in import post

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "mail"
OURS = "<outbound-1@desk.example>"  # the help desk's mail the fixtures answer
QUOTED = "please try the reset link again"  # a line of that mail, in every fixture's quote


@dataclass(frozen=True)
class Reply:
    name: str
    sender: str
    message_id: str
    new: str  # what the customer wrote: the comment is exactly this

    def __str__(self) -> str:
        return self.name.removesuffix(".eml")


REPLIES = [
    Reply(
        "gmail_reply.eml",
        "alice@example.com",
        "<CAGxq7Z0kR3s9mT1pYw2hVnE4uJ6bL8dF5cA0oQ-xP7iK2eN9rg@mail.gmail.com>",
        "The reset link worked on my phone, and I could set a new password there without any"
        " trouble.\n\nThanks,\nAlice",
    ),
    Reply(
        "outlook_reply.eml",
        "bernd.beispiel@example.de",
        "<002101dc6591$8a2b4c10$9e81e430$@example.de>",
        "Hello,\n\nit’s working now – the reset link from your mail opened fine in Edge.\n\n"
        "Viele Grüße\nBernd",
    ),
    Reply(
        "apple_mail_reply.eml",
        "dana@example.org",
        "<5E0C2B7A-91D4-4F3E-B8A6-2C7D19F04E63@example.org>",
        "It’s fine now: the reset link worked on my phone.",
    ),
    Reply(
        "thunderbird_reply.eml",
        "erik@example.net",
        "<3f1c2a9e-7b4d-4c1e-9a8f-2d6b0e5c7a11@example.net>",
        # format=flowed: the soft line break is no break in what Erik wrote
        "The reset link worked on my laptop as well, but only after I cleared the browser cache"
        " – maybe worth adding to the help page.",
    ),
    Reply(
        "subject_token_only.eml",
        "carol@example.edu",
        "<20261205152233.Horde.Xq3vN8cT1kPqW2mZ9bR4sA1@webmail.example.edu>",
        # format=flowed; DelSp=Yes, and Horde's "Quoting ...:" attribution trimmed with the quote
        "Thank you, the new password is accepted and I’m logged in again. I will tell my"
        " colleagues that the old bookmark no longer works.",
    ),
]
BY_NAME = {reply.name: reply for reply in REPLIES}


def fixture(name: str, ref: str = "") -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"{REF}", ref.encode())


def replied_ticket(sender: str) -> Ticket:
    """A ticket waiting for its customer, who was sent the mail the fixtures answer."""
    ticket = TicketFactory(
        customer=UserFactory(username=sender),
        customer_email=sender,
        channel="email",
        status=Status.PENDING_CUSTOMER,
    )
    MailMessage.objects.create(ticket=ticket, direction="out", message_id=OURS)
    return ticket


def stored_counts() -> tuple[int, int, int]:
    return Ticket.objects.count(), Comment.objects.count(), MailMessage.objects.count()


@pytest.mark.parametrize("reply", REPLIES, ids=str)
def test_a_reply_is_the_customers_comment_holding_only_what_they_wrote(reply):
    ticket = replied_ticket(reply.sender)
    raw = fixture(reply.name, ticket.ref)

    response = post(raw)

    assert response.status_code == 201, response.content
    comment = Comment.objects.get(ticket=ticket)
    assert response.json() == {"ticket_id": str(ticket.pk), "comment_id": comment.pk}
    assert (comment.author_kind, comment.author) == ("customer", ticket.customer)
    assert comment.body == reply.new
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and Ticket.objects.count() == 1
    received = MailMessage.objects.get(message_id=reply.message_id)
    assert (received.ticket, received.comment, received.direction, received.sender) == (
        ticket,
        comment,
        "in",
        reply.sender,
    )
    assert received.original.startswith(reply.new) and QUOTED in received.original

    before = stored_counts()
    again = post(raw)
    assert (again.status_code, again.json()) == (200, response.json())
    assert stored_counts() == before


def test_the_fixtures_carry_the_thread_headers_their_clients_send():
    def parsed(name):
        return mail_parse(fixture(name, "0123ABCD"))

    for name in ("gmail_reply.eml", "apple_mail_reply.eml", "thunderbird_reply.eml"):
        assert parsed(name).in_reply_to == OURS and parsed(name).references[-1] == OURS, name
    outlook = parsed("outlook_reply.eml")
    assert (outlook.in_reply_to, outlook.references) == ("", [OURS])  # References only
    lost = parsed("subject_token_only.eml")
    assert (lost.in_reply_to, lost.references, lost.subject) == (
        "",
        [],
        "Re: Cannot log in [#0123ABCD]",
    )


def test_a_reply_naming_our_mail_only_in_in_reply_to_threads_too():
    reply = BY_NAME["outlook_reply.eml"]
    ticket = replied_ticket(reply.sender)
    raw = (
        fixture(reply.name, "")  # no token in the subject: only the header can thread it
        .replace(b"References: ", b"In-Reply-To: ")
        .replace(reply.message_id.encode(), b"<002201dc6591$8a2b4c10$9e81e430$@example.de>")
    )
    assert mail_parse(raw).in_reply_to == OURS and not mail_parse(raw).references

    response = post(raw)

    assert response.status_code == 201, response.content
    assert response.json()["ticket_id"] == str(ticket.pk) and Ticket.objects.count() == 1
    assert Comment.objects.get(ticket=ticket).body == reply.new


def test_outlooks_header_block_without_the_rule_is_trimmed_too():
    """Outlook for Windows writes the quoted mail's From/Sent/To/Subject block without the
    underscore rule above it in the text part of most replies."""
    reply = BY_NAME["outlook_reply.eml"]
    raw = fixture(reply.name, "0123ABCD").replace(b"________________________________\r\n", b"")
    assert b"_____" not in raw
    assert mail_parse(raw).text == reply.new


def html_part_only(raw: bytes) -> bytes:
    """The mail as a client that sends only its HTML alternative would."""
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    content = html.get_content()
    del message["Content-Type"]
    message.set_content(content, subtype="html")
    return message.as_bytes()


@pytest.mark.parametrize("name", ["gmail_reply.eml", "outlook_reply.eml"])
def test_the_html_alternative_alone_gives_the_same_words_without_the_quote(name):
    reply = BY_NAME[name]
    parsed = mail_parse(html_part_only(fixture(name, "0123ABCD")))
    assert "<" not in parsed.text and QUOTED not in parsed.text
    assert parsed.text.split() == reply.new.split()
    assert QUOTED in parsed.full_text


GERMAN = (
    "Guten Tag,\n\n"
    "seit der Passwortänderung gestern kann ich mich nicht mehr anmelden. Die E-Mail mit dem Link"
    " zum Zurücksetzen ist nie angekommen, auch nicht im Spam-Ordner.\n\n"
    "Können Sie mein Konto bitte prüfen?\n\n"
    "Mit freundlichen Grüßen\nJürgen Müller"
)


def test_a_new_html_only_latin1_mail_is_a_new_ticket_in_plain_text(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    raw = fixture("html_only_iso8859.eml")

    response = post(raw)

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert response.json() == {"ticket_id": str(ticket.pk), "comment_id": None}
    assert (ticket.channel, ticket.customer_email, ticket.subject) == (
        "email",
        "juergen.mueller@example.de",
        "Anmeldung nach Passwortänderung nicht möglich",
    )
    assert ticket.body == GERMAN  # the HTML source's own line breaks are no breaks in the text
    assert not any(mark in ticket.body for mark in ("<", ">", "&", "=", "font-family"))
    received = MailMessage.objects.get(message_id="<20261205170541.6F2A41C0042@webmail.example.de>")
    assert (received.ticket, received.direction, received.original) == (ticket, "in", "")

    before = stored_counts()
    again = post(raw)
    assert (again.status_code, again.json()) == (200, response.json())
    assert stored_counts() == before
