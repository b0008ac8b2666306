"""`POST /api/webhooks/email/inbound`: the raw message, signed; new tickets, replies threaded onto
their ticket by headers or by the subject's token, repeats, auto-replies, bad requests."""

import pytest
from django.test import Client

from tickets.models import Comment, MailMessage, Status, Ticket
from tickets.tests.factories import TicketFactory

from .webhook_helpers import sign

pytestmark = pytest.mark.django_db
URL = "/api/webhooks/email/inbound"


def raw_mail(
    *, message_id="<m1@mail.example>", subject="Cannot log in", body="Help me.", **headers
):
    lines = [
        "From: Alice Example <Alice@Example.com>",
        "To: support@localhost",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
        "Content-Type: text/plain; charset=utf-8",
        "",
        body,
    ]
    return "\r\n".join(lines).encode()


def post(raw: bytes, *, content_type="message/rfc822", signature=None):
    return Client().post(
        URL,
        raw,
        content_type=content_type,
        HTTP_X_HELPDESK_SIGNATURE=signature if signature is not None else sign(raw),
    )


def test_a_new_mail_is_a_new_ticket_once(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    first = post(raw_mail())
    assert first.status_code == 201, first.content
    ticket = Ticket.objects.get()
    assert first.json() == {"ticket_id": str(ticket.pk), "comment_id": None}
    assert (ticket.channel, ticket.customer_email, ticket.subject) == (
        "email",
        "alice@example.com",
        "Cannot log in",
    )
    again = post(raw_mail())
    assert (again.status_code, again.json()) == (200, first.json())
    assert Ticket.objects.count() == 1


def test_a_reply_to_our_mail_is_the_customers_comment_on_that_ticket(customer):
    ticket = TicketFactory(customer_email="alice@example.com", status=Status.PENDING_CUSTOMER)
    MailMessage.objects.create(ticket=ticket, direction="out", message_id="<ours@desk>")
    reply = raw_mail(
        message_id="<r1@mail.example>",
        subject=f"Re: {ticket.subject}",
        body="It works now.\r\n\r\nOn Monday, Support wrote:\r\n> Please try again.",
        In_Reply_To="<ours@desk>",
    )
    response = post(reply)
    assert response.status_code == 201, response.content
    comment = Comment.objects.get(pk=response.json()["comment_id"])
    assert (comment.ticket_id, comment.author_kind, comment.body) == (
        ticket.pk,
        "customer",
        "It works now.",  # the quoted history is trimmed
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and Ticket.objects.count() == 1


def test_the_subject_token_threads_a_reply_whose_headers_were_lost():
    ticket = TicketFactory(customer_email="alice@example.com", status=Status.RESOLVED)
    response = post(raw_mail(message_id="<r2@x>", subject=f"Re: Help [#{ticket.ref}]"))
    assert response.status_code == 201
    assert response.json()["ticket_id"] == str(ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.reopened_count == 1


@pytest.mark.parametrize(
    "headers, reason",
    [
        ({"Auto_Submitted": "auto-replied"}, "auto-reply"),
        ({"Precedence": "bulk"}, "auto-reply"),
        ({"X_Autoreply": "yes"}, "auto-reply"),
    ],
)
def test_auto_replies_create_nothing(headers, reason):
    response = post(raw_mail(**headers))
    assert (response.status_code, response.json()) == (202, {"ignored": reason})
    assert not Ticket.objects.exists()


def test_a_bounce_creates_nothing():
    raw = raw_mail().replace(b"Alice Example <Alice@Example.com>", b"MAILER-DAEMON@mail.example")
    assert post(raw).json() == {"ignored": "bounce"}
    assert not Ticket.objects.exists()


def test_html_only_mail_becomes_text(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    raw = raw_mail(body="<p>Hello <b>team</b></p><script>x()</script>").replace(
        b"text/plain", b"text/html"
    )
    assert post(raw).status_code == 201
    assert Ticket.objects.get().body == "Hello team"


def test_bad_requests_are_clear_errors_and_store_nothing(settings):
    assert post(raw_mail(), signature="sha256=" + "0" * 64).status_code == 401
    assert post(raw_mail(), content_type="application/json").status_code == 415
    settings.HELPDESK_MAIL_MAX_BYTES = 100
    assert post(raw_mail(body="x" * 200)).status_code == 413
    assert not Ticket.objects.exists()


def test_mail_from_the_support_address_itself_is_dropped(settings):
    settings.HELPDESK_SUPPORT_ADDRESS = "alice@example.com"  # a loop: our own mail came back
    assert post(raw_mail()).json() == {"ignored": "loop"}
    assert not Ticket.objects.exists()


def post_form(fields: dict):
    from django.test.client import encode_multipart

    raw = encode_multipart("BoUnDaRy", fields)
    return post(raw, content_type="multipart/form-data; boundary=BoUnDaRy")


def test_a_mailgun_form_is_a_new_ticket_and_its_reply_threads(settings):
    import json

    settings.HELPDESK_INGEST_DEFERRED = False
    first = post_form(
        {
            "sender": "alice@example.com",
            "recipient": "support@localhost",
            "subject": "Cannot log in",
            "body-plain": "Help me.",
            "Message-Id": "<mg1@mailgun.example>",
        }
    )
    assert first.status_code == 201, first.content
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.body, ticket.customer_email) == (
        "Cannot log in",
        "Help me.",
        "alice@example.com",
    )
    headers = [["In-Reply-To", "<mg1@mailgun.example>"], ["Message-Id", "<mg2@mailgun.example>"]]
    reply = post_form(
        {
            "sender": "alice@example.com",
            "subject": "Re: Cannot log in",
            "stripped-text": "Still broken.",
            "message-headers": json.dumps(headers),
        }
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["ticket_id"] == str(ticket.pk)
    assert Comment.objects.get(pk=reply.json()["comment_id"]).body == "Still broken."


def test_a_sendgrid_form_with_html_only_and_an_auto_reply(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    headers = "Message-ID: <sg1@sendgrid.example>\r\nFrom: Bob <bob@example.com>\r\n"
    new = post_form(
        {
            "from": "Bob <bob@example.com>",
            "subject": "Invoice",
            "html": "<p>Need a <b>copy</b></p>",
            "headers": headers,
        }
    )
    assert new.status_code == 201, new.content
    assert Ticket.objects.get().body == "Need a copy"
    auto = post_form(
        {
            "from": "bob@example.com",
            "subject": "Out of office",
            "text": "Back Monday.",
            "headers": "Message-ID: <sg2@x>\r\nAuto-Submitted: auto-replied\r\n",
        }
    )
    assert (auto.status_code, auto.json()) == (202, {"ignored": "auto-reply"})


def test_a_form_that_describes_no_mail_is_a_clear_400():
    response = post_form({"subject": "Hello", "text": "No sender here."})
    assert response.status_code == 400
    assert response.json()["fields"] == {"form": ["no sender: give 'sender' or 'from'"]}
    assert not Ticket.objects.exists()
