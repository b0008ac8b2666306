"""Property tests (hypothesis) of the MIME parser (journey/mailparse.py): whatever bytes arrive
at the inbound-mail webhook, parsing never raises, the text is a storable str and the files
kept are within the limits."""

from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journey.mailparse import mail_parse

pytestmark = pytest.mark.django_db  # settings only; no rows

PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
any_text = st.text(alphabet=st.characters(codec=None), max_size=200)
header_text = st.text(  # what a mail program can put in a header: no control characters
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=120
)


def _check(mail, django_settings) -> None:
    for value in (mail.text, mail.full_text, mail.subject, mail.sender, mail.message_id):
        assert isinstance(value, str)
    assert "\x00" not in mail.text
    assert len(mail.subject) <= 255
    assert len(mail.files) <= django_settings.HELPDESK_ATTACHMENT_MAX_FILES
    for incoming in mail.files:
        assert incoming.size <= django_settings.HELPDESK_ATTACHMENT_MAX_BYTES


@PROPERTY
@given(st.binary(max_size=2000))
def test_any_bytes_parse_without_raising(settings, raw):
    _check(mail_parse(raw), settings)


HEADERISH = st.sampled_from(
    [
        b"From: a@example.com\r\n",
        b"From: =?utf-8?b?//79?= <x@y>\r\n",
        b"Subject: =?bogus-charset?q?=FF=00?=\r\n",
        b"Subject: " + b"x" * 2000 + b"\r\n",
        b"Content-Type: multipart/mixed; boundary=b\r\n",
        b'Content-Type: multipart/alternative; boundary=""\r\n',
        b"Content-Type: text/plain; charset=utf-7\r\n",
        b"Content-Type: text/html; charset=x-unknown\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Disposition: attachment; filename*=utf-8''%FF%00.exe\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Auto-Submitted: auto-replied\r\n",
        b"In-Reply-To: <\x00>\r\n",
        b"\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"=00=FF=\r\n",
        b"AAAA////\r\n",
        b"<p>\x00</p>\r\n",
        b"\xff\xfe\x00\x00",
    ]
)


@PROPERTY
@given(st.lists(HEADERISH, max_size=25).map(b"".join))
def test_mail_shaped_nonsense_parses_without_raising(settings, raw):
    _check(mail_parse(raw), settings)


@PROPERTY
@given(
    subject=header_text,
    body=any_text,
    html=st.booleans(),
    files=st.lists(
        st.tuples(
            header_text, st.binary(max_size=300), st.sampled_from(["application", "image", "audio"])
        ),
        max_size=4,
    ),
)
def test_generated_messages_parse_to_their_text_and_files(settings, subject, body, html, files):
    settings.HELPDESK_ATTACHMENT_MAX_FILES = 3
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 200
    message = EmailMessage()
    message["From"] = "Customer <customer@example.com>"
    message["Subject"] = subject
    clean_body = body.encode("utf-8", "replace").decode("utf-8")
    message.set_content(clean_body, subtype="html" if html else "plain")
    for name, data, main in files:
        message.add_attachment(
            data,
            maintype=main,
            subtype="octet-stream",
            filename=name or None,
        )
    mail = mail_parse(message.as_bytes())
    _check(mail, settings)
    assert mail.sender == "customer@example.com"
    assert len(mail.files) + len(mail.files_left_out) <= len(files)
    assert mail.subject == " ".join(subject.split())[:255]


@pytest.mark.parametrize(
    "header",
    [
        b"Message-ID: <a\x00b@example.com>",
        b"Message-ID: <" + b"m" * 300 + b"@example.com>",
        b"Message-ID: <a@example.com>\r\nIn-Reply-To: <\x00@x>\r\nReferences: <\x00@y> <ok@z>",
        b"Message-ID: <\xed\xa0\x80@example.com>",  # a lone surrogate, as UTF-8 would spell it
    ],
    ids=["nul-in-message-id", "message-id-over-255", "nul-in-threading", "surrogate-in-id"],
)
def test_headers_postgres_cannot_store_are_made_storable_not_a_500(client, header):
    """Found by the property tests: each of these was a 500 (NUL, or over 255 characters)."""
    from journey.tests.test_mail_in import post
    from tickets.models import Ticket

    raw = (
        b"From: c\x00d@example.com\r\n" + header + b"\r\nSubject: hi\x00 there\r\n\r\nbody\x00\r\n"
    )
    first = post(raw)
    assert first.status_code == 201, first.content
    assert post(raw).status_code == 200  # the same mail again is recognised as a repeat
    ticket = Ticket.objects.get()
    assert ticket.subject == "hi there" and ticket.body == "body"
    assert ticket.customer_email == "cd@example.com"
