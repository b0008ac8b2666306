"""A received mail, parsed with the standard library (`email`, policy `default`) into what the
journey needs: who wrote, the Message-ID and what it answers, the subject, the text (HTML-only
mail turned to text, quoted history trimmed), and whether it is an auto-reply or a bounce."""

import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import parseaddr

from django.conf import settings

from tickets.text import html_to_text

AUTO_FROM = re.compile(r"^(mailer-daemon|postmaster|no-?reply)@", re.IGNORECASE)
QUOTE_HEAD = re.compile(r"^(On .+wrote:|Am .+schrieb .+:|-----\s*Original Message\s*-----)\s*$")


@dataclass
class InboundMail:
    message_id: str
    sender: str
    subject: str
    text: str
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    ignored: str = ""  # why nothing is to be created: an auto-reply, a bounce, no sender


def mail_parse(raw: bytes) -> InboundMail:
    message = message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    mail = InboundMail(
        message_id=str(message.get("Message-ID", "")).strip(),
        sender=sender,
        subject=" ".join(str(message.get("Subject", "")).split())[:255],
        text=_trimmed(_text(message)),
        in_reply_to=str(message.get("In-Reply-To", "")).strip(),
        references=str(message.get("References", "")).split(),
    )
    mail.ignored = _ignored(message, sender)
    return mail


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    text = content if isinstance(content, str) else content.decode("utf-8", "replace")
    return html_to_text(text) if part.get_content_subtype() == "html" else text


def _trimmed(text: str) -> str:
    """The new part of a reply: up to the quoted history (`> ` lines, `On ... wrote:`)."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if QUOTE_HEAD.match(line.strip()) or line.startswith(">"):
            break
        kept.append(line)
    return "\n".join(kept).strip() or text.strip()


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
