"""A received mail, parsed with the standard library (`email`, policy `default`) into what the
journey needs: who wrote, the Message-ID and what it answers, the subject, the text (HTML-only
mail turned to text, quoted history trimmed), and whether it is an auto-reply or a bounce."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage, MIMEPart
from email.policy import default
from email.utils import parseaddr

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from tickets.services.attachments import IncomingFile, incoming_bytes
from tickets.text import clean_text, html_to_text

AUTO_FROM = re.compile(r"^(mailer-daemon|postmaster|no-?reply)@", re.IGNORECASE)
QUOTE_HEAD = re.compile(
    r"^(On .+wrote:|Am .+schrieb .+:|Le .+a écrit\s?:|El .+escribió:|-----\s*Original Message\s*-----"
    r"|-----\s*Ursprüngliche Nachricht\s*-----|_{20,})\s*$"
)
# where a signature starts: the RFC 3676 delimiter "-- " and mobile clients' lines
SIGNATURE = re.compile(
    r"^(-- ?|Sent from my [\w-]+(?: [\w-]+){0,2}|Sent from (Outlook|Mail) for \w+"
    r"|Get Outlook for \w+|Von meinem [\w-]+(?: [\w-]+){0,2} gesendet)\s*$"
)
# the quoted mail's header block Outlook writes (often without a rule above it): a From line
# followed by its Sent (or Date) line
HEADER_FROM = re.compile(r"^(From|Von|De): \S")
HEADER_SENT = re.compile(r"^(Sent|Date|Gesendet|Datum|Envoyé|Enviado): \S")
# in an attribution line above a quote that ends in a colon: "Quoting Ann <ann@x.example>:"
ADDRESS = re.compile(r"[\w.+-]@[\w-]+\.\w")


@dataclass
class InboundMail:
    message_id: str
    sender: str
    subject: str
    text: str
    full_text: str = ""  # the text before quoted history and signature were trimmed
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    ignored: str = ""  # why nothing is to be created: an auto-reply, a bounce, no sender
    bounced: list[str] = field(default_factory=list)  # a bounce: the Message-IDs it reports
    bounce_reason: str = ""
    files: list[IncomingFile] = field(default_factory=list)  # attachments and inline images
    files_left_out: list[str] = field(default_factory=list)  # "name (12 MB): over the limit"

    @property
    def text_with_notes(self) -> str:
        """The text, and a line for each file that was not kept, so that nobody wonders."""
        if not self.files_left_out:
            return self.text
        notes = "\n".join(f"[Attachment not kept: {note}]" for note in self.files_left_out)
        return f"{self.text}\n\n{notes}".strip()


def mail_parse(raw: bytes) -> InboundMail:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    mail = InboundMail(
        message_id=str(message.get("Message-ID", "")).strip(),
        sender=sender,
        subject=" ".join(str(message.get("Subject", "")).split())[:255],
        text=_trimmed(full := _text(message)),
        full_text=full,
        in_reply_to=str(message.get("In-Reply-To", "")).strip(),
        references=str(message.get("References", "")).split(),
    )
    mail.ignored = _ignored(message, sender)
    if mail.ignored == "bounce":
        mail.bounced, mail.bounce_reason = _bounce(message)
    elif not mail.ignored:
        body = message.get_body(preferencelist=("plain", "html"))
        found: list[tuple[str, bytes, str]] = []
        _collect_files(message, body, found)
        mail.files, mail.files_left_out = _within_limits(found)
    return _storable(mail)


MAX_ID = 255  # MailMessage.message_id


def _storable(mail: InboundMail) -> InboundMail:
    """Headers and text as PostgreSQL can store them: a NUL or a lone surrogate anywhere (a
    Message-ID, a sender, the text) was a 500. A Message-ID over 255 characters keeps its
    start and a digest of the whole, so the same long id is still recognised as a repeat."""
    mail.message_id = _message_id(mail.message_id)
    mail.in_reply_to = _message_id(mail.in_reply_to)
    mail.references = [ref for ref in map(_message_id, mail.references) if ref]
    mail.sender = clean_text(mail.sender).strip()
    mail.subject = clean_text(mail.subject)
    mail.text, mail.full_text = clean_text(mail.text), clean_text(mail.full_text)
    mail.bounced = [ref for ref in map(_message_id, mail.bounced) if ref]
    mail.bounce_reason = clean_text(mail.bounce_reason)
    return mail


def _message_id(value: str) -> str:
    value = clean_text(value).strip()
    if len(value) <= MAX_ID:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    return f"{value[: MAX_ID - len(digest) - 1]}#{digest}"


def _collect_files(part: MIMEPart, body: MIMEPart | None, found: list) -> None:
    """The files of a mail, however deep its multiparts nest: parts with a file name or sent as
    attachments, inline images (with their Content-ID), a forwarded mail as an .eml file. The
    text the comment is made of, and its other alternative, are not files."""
    kind = part.get_content_type()
    if kind == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
            subject = str(inner[0].get("Subject", "")).strip() or "forwarded mail"
            found.append((part.get_filename() or f"{subject[:80]}.eml", inner[0].as_bytes(), ""))
        return
    if part.is_multipart():
        for child in part.iter_parts():
            _collect_files(child, body, found)
        return
    if part is body or kind in ("message/delivery-status", "text/rfc822-headers"):
        return
    name = part.get_filename()
    content_id = str(part.get("Content-ID", "")).strip()
    is_file = name or part.get_content_disposition() == "attachment"
    if not is_file and (kind.startswith("text/") or not content_id):
        return  # the other alternative of the text, or a stray text part
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return
    found.append((name or _default_name(kind), data, content_id))


def _default_name(kind: str) -> str:
    main, _, sub = kind.partition("/")
    return f"{'image' if main == 'image' else 'attachment'}.{sub or 'bin'}"[:60]


def _within_limits(found: list[tuple[str, bytes, str]]) -> tuple[list[IncomingFile], list[str]]:
    """The files within the per-file size and per-message count limits, and a note for each
    one left out (a mail cannot be refused with a 413 the way an upload is: it is kept)."""
    kept: list[IncomingFile] = []
    left_out: list[str] = []
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    for name, data, content_id in found:
        if len(data) > limit:
            left_out.append(f"{name} ({filesizeformat(len(data))}): over the limit")
        elif len(kept) >= settings.HELPDESK_ATTACHMENT_MAX_FILES:
            left_out.append(f"{name}: too many files in one mail")
        else:
            kept.append(incoming_bytes(name=name, data=data, content_id=content_id))
    return kept, left_out


def _decoded(part: MIMEPart) -> str:
    """A text part's content; a charset Python does not know is read as UTF-8, bad bytes
    replaced, rather than losing the mail."""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        raw = part.get_payload(decode=True)
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _decoded(part)
    if part.get_content_subtype() == "html":
        return html_to_text(text, source_breaks=False)
    if str(part.get_param("format", "")).lower() == "flowed":
        return _unflowed(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return text


def _unflowed(text: str, *, delsp: bool) -> str:
    """RFC 3676 `format=flowed`: a line ending in a space goes on in the next line of the same
    quote depth (that space dropped too with `DelSp=yes`); a line's first space after its quote
    marks is stuffing; the signature line `-- ` is never flowed."""
    lines: list[tuple[int, str]] = []
    flowing = False
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:].removeprefix(" ")
        if flowing and lines[-1][0] == depth:
            lines[-1] = (depth, lines[-1][1] + content)
        else:
            lines.append((depth, content))
        flowing = content.endswith(" ") and content != "-- "
        if flowing and delsp:
            lines[-1] = (depth, lines[-1][1][:-1])
    return "\n".join(
        f"{'>' * depth} {content}" if depth and content else ">" * depth + content
        for depth, content in lines
    )


def _trimmed(text: str) -> str:
    """The new part of a reply: up to the quoted history (`> ` lines, `On ... wrote:`, Outlook's
    rule and header block, `-----Original Message-----`) or the signature (`-- `, "Sent from my
    iPhone")."""
    kept: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        if QUOTE_HEAD.match(line.strip()) or SIGNATURE.match(line):
            break
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if HEADER_FROM.match(line.strip()) and HEADER_SENT.match(following):
            break
        if line.startswith(">"):
            _drop_wrapped_quote_head(kept)
            break
        kept.append(line)
    return "\n".join(kept).strip() or text.strip()


def _drop_wrapped_quote_head(kept: list[str]) -> None:
    """Gmail wraps a long `On ... <address> wrote:` over two lines: both go with the quote; so
    does a line naming an address and ending in a colon just above it (Horde's `Quoting ...:`)."""
    lines = [i for i, line in enumerate(kept) if line.strip()][-2:]
    if len(lines) == 2 and QUOTE_HEAD.match(" ".join(kept[i].strip() for i in lines)):
        del kept[lines[0] :]
    elif lines and kept[lines[-1]].rstrip().endswith(":") and ADDRESS.search(kept[lines[-1]]):
        del kept[lines[-1] :]


def _ignored(message: EmailMessage, sender: str) -> str:
    if not sender:
        return "no sender"
    if sender == settings.HELPDESK_SUPPORT_ADDRESS.lower():
        return "loop"  # our own mail, come back
    if AUTO_FROM.match(sender) or message.get_content_type() == "multipart/report":
        return "bounce"
    auto = str(message.get("Auto-Submitted", "no")).lower()
    if auto != "no" or message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "auto-reply"
    if str(message.get("Precedence", "")).lower() in ("bulk", "junk", "list", "auto_reply"):
        return "auto-reply"
    return ""


def _bounce(message: EmailMessage) -> tuple[list[str], str]:
    """The Message-IDs a failure report (RFC 3464) is about and why delivery failed. A report
    whose recipients were only delayed (or delivered) names none. The returned original's
    Message-ID and the bounce's own thread headers are what it names."""
    ids: list[str] = []
    failed: list[str] = []
    reported = False
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in _status_blocks(part):
                action = str(block.get("Action", "")).strip().lower()
                status = str(block.get("Status", "")).strip()
                if not action and not status:
                    continue  # the per-message block
                reported = True
                if action == "failed" or (not action and status.startswith("5")):
                    recipient = str(block.get("Final-Recipient", "")).split(";")[-1].strip()
                    diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
                    failed.append(" ".join(x for x in (recipient, status, diagnostic) if x))
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            original = _headers_of(part)
            if original is not None and original.get("Message-ID"):
                ids.append(str(original["Message-ID"]).strip())
    if reported and not failed:
        return [], ""
    ids += [
        str(message.get("In-Reply-To", "")).strip(),
        *str(message.get("References", "")).split(),
    ]
    reason = "; ".join(failed) or " ".join(str(message.get("Subject", "")).split()) or "undelivered"
    return list(dict.fromkeys(i for i in ids if i)), reason[:500]


def _status_blocks(part: EmailMessage) -> list[EmailMessage]:
    """The per-message and per-recipient field blocks of a delivery-status part."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package parses the blocks as messages
        return [b for b in payload if isinstance(b, EmailMessage)]
    blocks = []
    for chunk in str(payload).replace("\r\n", "\n").split("\n\n"):
        parsed = message_from_bytes(
            chunk.strip().encode("utf-8", "replace") + b"\n\n", policy=default
        )
        if isinstance(parsed, EmailMessage):
            blocks.append(parsed)
    return blocks


def _headers_of(part: EmailMessage) -> EmailMessage | None:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        first = inner[0] if isinstance(inner, list) and inner else None
        return first if isinstance(first, EmailMessage) else None
    text = _decoded(part)
    parsed = message_from_bytes(text.strip().encode("utf-8", "replace") + b"\n\n", policy=default)
    return parsed if isinstance(parsed, EmailMessage) else None


class NotAMail(ValueError):
    """A provider form that does not describe a mail (the message names what is missing)."""


def provider_form_parse(raw: bytes, content_type: str) -> InboundMail:
    """The multipart form common inbound-mail providers post (Mailgun's `sender`, `body-plain`,
    `message-headers`; SendGrid's `from`, `text`, `html`, `headers`), parsed with the standard
    library: the same fields as a raw message, threading and auto-reply headers included."""
    form = message_from_bytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw, policy=default
    )
    if not form.is_multipart():
        raise NotAMail("not a multipart form")
    fields: dict[str, str] = {}
    found: list[tuple[str, bytes, str]] = []
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename():  # Mailgun's attachment-1..n, SendGrid's attachment1..n
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                found.append((str(part.get_filename()), data, ""))
            continue
        if not isinstance(name, str):
            continue
        fields[name.lower()] = _decoded(part)
    headers = _provider_headers(fields)
    sender = parseaddr(fields.get("sender") or fields.get("from") or str(headers.get("From", "")))[
        1
    ]
    if not sender:
        raise NotAMail("no sender: give 'sender' or 'from'")
    full = fields.get("body-plain") or fields.get("text") or ""
    if not full and (fields.get("body-html") or fields.get("html")):
        full = html_to_text(
            fields.get("body-html") or fields.get("html") or "", source_breaks=False
        )
    text = _trimmed(fields.get("stripped-text") or full)  # Mailgun trims too; we trim the rest
    if not text and not fields.get("subject"):
        raise NotAMail("no subject and no text: give 'subject' and 'body-plain' or 'text'")
    mail = InboundMail(
        message_id=(fields.get("message-id") or str(headers.get("Message-ID", ""))).strip(),
        sender=sender.strip().lower(),
        subject=" ".join((fields.get("subject") or str(headers.get("Subject", ""))).split())[:255],
        text=text,
        full_text=full or text,
        in_reply_to=(fields.get("in-reply-to") or str(headers.get("In-Reply-To", ""))).strip(),
        references=(fields.get("references") or str(headers.get("References", ""))).split(),
    )
    mail.ignored = _ignored(headers, mail.sender)
    if not mail.ignored:
        mail.files, mail.files_left_out = _within_limits(found)
    return _storable(mail)


def _provider_headers(fields: dict[str, str]) -> EmailMessage:
    """The original mail's headers as a message: SendGrid's raw `headers` block, or Mailgun's
    `message-headers` (a JSON list of [name, value] pairs)."""
    if fields.get("headers"):
        block = fields["headers"].replace("\r\n", "\n").strip() + "\n\n"
        parsed = message_from_bytes(block.encode("utf-8", "replace"), policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed
    message = EmailMessage()
    try:
        pairs = json.loads(fields.get("message-headers") or "[]")
    except ValueError:
        pairs = []
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, list) and len(pair) == 2:
            try:
                message[str(pair[0])] = str(pair[1])
            except (ValueError, TypeError):
                continue  # a broken header: skip it
    return message
