"""Files that come by mail: attachments, inline images and forwarded mails, at any depth of
nested multiparts, raw or through a provider's form; byte for byte, a file over the limit left
out with a note on the comment, and a reply to a merged ticket landing on its target."""

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import Attachment, Comment, MailMessage, Status, Ticket
from tickets.tests.factories import TicketFactory
from tickets.tests.files import PDF, PNG

from .test_mail_in import post, post_form

pytestmark = pytest.mark.django_db


def mail_with_files(*, message_id="<f1@mail.example>", subject="Crash on pay", **headers):
    """multipart/mixed( multipart/alternative( text/plain, multipart/related( text/html, an
    inline PNG ) ), a PDF, a forwarded mail ): what Apple Mail and Outlook send."""
    message = EmailMessage(policy=SMTP)
    message["From"] = "Alice Example <alice@example.com>"
    message["To"] = "support@localhost"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("It crashes, see the screenshot and the receipt.")
    message.add_alternative(
        '<p>It crashes, see <img src="cid:shot@mail.example"> and the receipt.</p>',
        subtype="html",
    )
    html = message.get_body(("html",))
    assert html is not None
    html.add_related(PNG, "image", "png", cid="<shot@mail.example>")
    message.add_attachment(PDF, "application", "pdf", filename="receipt 0421.pdf")
    forwarded = EmailMessage()
    forwarded["Subject"] = "Your receipt"
    forwarded["From"] = "shop@example.com"
    forwarded.set_content("Thanks for your order.")
    message.add_attachment(forwarded)
    return message.as_bytes()


def test_a_mails_files_come_with_the_new_ticket_byte_for_byte(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    response = post(mail_with_files())
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.body == "It crashes, see the screenshot and the receipt."
    files = {a.name: a for a in Attachment.objects.filter(ticket=ticket, comment=None)}
    assert set(files) == {"image.png", "receipt 0421.pdf", "Your receipt.eml"}
    assert files["image.png"].content_id == "shot@mail.example"
    assert files["image.png"].file.read() == PNG
    assert (files["receipt 0421.pdf"].content_type, files["receipt 0421.pdf"].file.read()) == (
        "application/pdf",
        PDF,
    )
    assert b"Thanks for your order." in files["Your receipt.eml"].file.read()


def test_a_deferred_intake_keeps_the_files_too(settings):
    settings.HELPDESK_INGEST_DEFERRED = True
    assert post(mail_with_files()).status_code == 201
    assert Attachment.objects.filter(ticket=Ticket.objects.get()).count() == 3
    assert post(mail_with_files()).status_code == 200  # the same Message-ID: nothing twice
    assert Attachment.objects.count() == 3


def test_a_replys_files_are_on_the_customers_comment():
    ticket = TicketFactory(customer_email="alice@example.com", status=Status.PENDING_CUSTOMER)
    MailMessage.objects.create(ticket=ticket, direction="out", message_id="<ours@desk>")
    response = post(mail_with_files(message_id="<f2@mail.example>", In_Reply_To="<ours@desk>"))
    assert response.status_code == 201, response.content
    comment = Comment.objects.get(pk=response.json()["comment_id"])
    assert comment.ticket_id == ticket.pk
    assert sorted(comment.attachments.values_list("name", flat=True)) == [
        "Your receipt.eml",
        "image.png",
        "receipt 0421.pdf",
    ]


def test_a_file_over_the_limit_is_left_out_and_the_comment_says_so(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = len(PDF) + 10  # the PNG fits, the .eml does not
    response = post(mail_with_files())
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert sorted(ticket.attachments.values_list("name", flat=True)) == [
        "image.png",
        "receipt 0421.pdf",
    ]
    assert "[Attachment not kept: Your receipt.eml (" in ticket.body
    assert "over the limit]" in ticket.body


def test_a_providers_form_files_are_kept_byte_for_byte(settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    response = post_form(
        {
            "sender": "alice@example.com",
            "subject": "Screenshot",
            "body-plain": "Here it is.",
            "Message-Id": "<mg9@mailgun.example>",
            "attachment-1": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        }
    )
    assert response.status_code == 201, response.content
    [attachment] = Ticket.objects.get().attachments.all()
    assert (attachment.name, attachment.content_type) == ("shot.png", "image/png")
    assert attachment.file.read() == PNG  # its CR LF bytes too


def test_a_reply_to_a_merged_tickets_thread_lands_on_the_ticket_it_was_merged_into():
    target = TicketFactory(customer_email="alice@example.com", status=Status.IN_PROGRESS)
    source = TicketFactory(
        customer_email="alice@example.com", status=Status.CLOSED, merged_into=target
    )
    MailMessage.objects.create(ticket=source, direction="out", message_id="<old@desk>")
    by_header = post(mail_with_files(message_id="<m1@x>", In_Reply_To="<old@desk>"))
    by_token = post(mail_with_files(message_id="<m2@x>", subject=f"Re: Crash [#{source.ref}]"))
    for response in (by_header, by_token):
        assert response.status_code == 201, response.content
        assert response.json()["ticket_id"] == str(target.pk)
    assert target.comments.count() == 2 and source.comments.count() == 0
    assert Ticket.objects.count() == 2


BROKEN = [
    # raw 8-bit bytes in headers and body, no charset declared anywhere
    b"From: J\xf6rg <jorg@example.com>\r\nSubject: Gr\xfc\xdfe\r\nMessage-ID: <b1@x>\r\n\r\n"
    b"Kaputt: \xe4\xf6\xfc\r\n",
    # a malformed encoded-word, a Date that is no date, an unknown charset
    b"From: alice@example.com\r\nSubject: =?utf-8?B?broken?=\r\nDate: yesterday-ish\r\n"
    b"Message-ID: <b2@x>\r\nContent-Type: text/plain; charset=x-unknown-42\r\n\r\nHello\r\n",
    # a multipart without its closing boundary, a base64 part with bad padding
    b"From: alice@example.com\r\nSubject: cut\r\nMessage-ID: <b3@x>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\n'
    b"Part one\r\n--zz\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
    b'filename="x.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK===\r\n',
    # a header line with no colon, NUL bytes in the body
    b"From: alice@example.com\r\nThis is not a header\r\nSubject: nul\r\nMessage-ID: <b4@x>\r\n"
    b"\r\nbefore\x00after\r\n",
]


@pytest.mark.parametrize("raw", BROKEN)
def test_broken_mail_becomes_a_ticket_never_a_server_error(raw, settings):
    settings.HELPDESK_INGEST_DEFERRED = False
    response = post(raw)
    assert response.status_code in (201, 202), response.content
    if response.status_code == 201:
        ticket = Ticket.objects.get()
        assert ticket.channel == "email" and "\x00" not in ticket.body
        assert post(raw).status_code == 200  # and it is taken in once


def test_a_mail_over_the_size_limit_is_a_clear_413(settings):
    settings.HELPDESK_MAIL_MAX_BYTES = 500
    response = post(mail_with_files())
    assert response.status_code == 413
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0
