"""Files sent with a ticket or a comment, from any channel: the name cleaned, the type sniffed
from the bytes (never the sender's word), the size limit, the bytes stored through Django's
storage API (local files or an S3-compatible store, by settings), and how a download is served:
always as an attachment, never inline, HTML and SVG as plain bytes."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat

from core.exceptions import ApplicationError

from ..models import Attachment, Comment, Ticket

SNIFF_BYTES = 8192
# Types a browser would run or render as a page: served as bytes, whatever was sniffed.
ACTIVE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "application/xml",
    "text/xml",
    "text/javascript",
}
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<meta")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


class AttachmentTooLarge(ApplicationError):
    status_code = 413
    code = "payload_too_large"


class TooManyAttachments(ApplicationError):
    code = "invalid"


@dataclass
class IncomingFile:
    """A file on its way in: an upload (Django's UploadedFile) or bytes taken out of a mail."""

    name: str
    content: File
    content_id: str = ""

    @property
    def size(self) -> int:
        return int(self.content.size or 0)


def incoming_bytes(*, name: str, data: bytes, content_id: str = "") -> IncomingFile:
    return IncomingFile(name=name, content=ContentFile(data), content_id=content_id)


def attachments_check(files: Iterable[IncomingFile]) -> None:
    """Refuses a message with too many files (400) or a file over the limit (413), naming it."""
    files = list(files)
    if len(files) > settings.HELPDESK_ATTACHMENT_MAX_FILES:
        raise TooManyAttachments(
            f"Attach at most {settings.HELPDESK_ATTACHMENT_MAX_FILES} files to one message.",
            fields={"files": ["Too many files."]},
        )
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    for incoming in files:
        if incoming.size > limit:
            raise AttachmentTooLarge(
                f"{clean_name(incoming.name)} is {filesizeformat(incoming.size)}; "
                f"the limit is {filesizeformat(limit)} per file.",
                fields={"files": [f"{clean_name(incoming.name)} is over the limit."]},
            )


def clean_name(name: str) -> str:
    """The sender's file name as something safe to show and to offer as a download name: no
    folders, no control or reserved characters, no leading dots, at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or "attachment"


def sniff(head: bytes) -> str:
    """The type of a file by its first bytes: binary formats by their signature (`filetype`),
    then markup a browser would render, then text; anything else is octet-stream."""
    kind = filetype.guess(head) if head else None
    if kind is not None:
        return str(kind.mime)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head[:SNIFF_BYTES].lower():
        return "image/svg+xml"
    if start.startswith(_HTML_STARTS):
        return "text/html"
    if start.startswith(b"<?xml"):
        return "application/xml"
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
                return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"


def served_type(attachment: Attachment) -> str:
    """The Content-Type a download is answered with: what was sniffed, except markup and
    scripts, which go out as bytes (the answer is an attachment with `nosniff` either way)."""
    kind = attachment.content_type or "application/octet-stream"
    if kind in ACTIVE_TYPES:
        return "application/octet-stream"
    return "text/plain; charset=utf-8" if kind == "text/plain" else kind


def attachment_store(
    *,
    ticket: Ticket,
    comment: Comment | None,
    incoming: IncomingFile,
    uploaded_by: User | None,
) -> Attachment:
    """Stores one file of a ticket (comment None: sent with the ticket itself) or of a comment.
    The caller checked the limits (`attachments_check`); this checks the size again."""
    attachments_check([incoming])
    content = incoming.content
    content.seek(0)
    head = content.read(SNIFF_BYTES)
    content.seek(0)
    attachment = Attachment(
        ticket=ticket,
        comment=comment,
        name=clean_name(incoming.name),
        size=incoming.size,
        content_type=sniff(head if isinstance(head, bytes) else head.encode()),
        content_id=incoming.content_id.strip("<> ")[:255],
        uploaded_by=uploaded_by,
    )
    attachment.file.save(attachment.name, content, save=False)
    attachment.save()
    return attachment


def attachments_store(
    *,
    ticket: Ticket,
    comment: Comment | None,
    files: Iterable[IncomingFile],
    uploaded_by: User | None,
) -> list[Attachment]:
    files = list(files)
    attachments_check(files)
    return [
        attachment_store(ticket=ticket, comment=comment, incoming=f, uploaded_by=uploaded_by)
        for f in files
    ]
