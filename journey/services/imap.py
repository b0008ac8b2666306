"""Reading customers' mail from IMAP mailboxes (Celery beat, every minute): each new message, by
UID, goes the way of a posted raw mail (`mail_receive`). The UID a message had is recorded in the
same transaction as what it became, so a crash re-reads nothing twice and skips nothing; a lease
keeps two pollers off one mailbox. The mailbox is opened read-only and bodies are fetched with
`BODY.PEEK[]`, so people reading the same mailbox still see the mail as unread."""

import imaplib
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..mailparse import mail_parse
from ..models import Mailbox
from .mail import mail_receive

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
BATCH = 200  # messages per mailbox and round; the next round goes on where this one stopped
_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


class MailboxError(Exception):
    """The server refused or answered what a mailbox cannot be read with (message says why)."""


@dataclass
class PollResult:
    taken: int = 0  # messages that became tickets or comments (or were known already)
    skipped: int = 0  # over the size limit: recorded in last_error, not read
    error: str = ""


def mailboxes_poll() -> dict[str, PollResult]:
    """Every enabled mailbox, one after another; one that fails does not stop the others."""
    return {
        slug: mailbox_poll(mailbox_id=pk)
        for pk, slug in Mailbox.objects.filter(enabled=True).values_list("pk", "slug")
    }


def mailbox_poll(*, mailbox_id: int, limit: int = BATCH) -> PollResult:
    if not _lease_take(mailbox_id):
        return PollResult(error="being read by another poller")
    result = PollResult()
    try:
        box = Mailbox.objects.get(pk=mailbox_id)
        with _session(box) as client:
            _read_new(client, box, result, limit)
    except (MailboxError, imaplib.IMAP4.error, OSError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("Mailbox %s: %s", mailbox_id, result.error)
    finally:
        _lease_release(mailbox_id, result)
    return result


def _lease_take(mailbox_id: int) -> bool:
    now = timezone.now()
    free = Mailbox.objects.filter(pk=mailbox_id).exclude(lease_until__gt=now)
    return free.update(lease_until=now + LEASE) == 1


def _lease_release(mailbox_id: int, result: PollResult) -> None:
    fields: dict = {"lease_until": None, "last_polled_at": timezone.now()}
    if result.error or not result.skipped:
        fields["last_error"] = result.error
    Mailbox.objects.filter(pk=mailbox_id).update(**fields)


@contextmanager
def _session(box: Mailbox) -> Iterator[imaplib.IMAP4]:
    """A logged-in client with the mailbox's folder selected read-only; logs out after."""
    password = settings.HELPDESK_IMAP_PASSWORDS.get(box.password_variable)
    if not password:
        raise MailboxError(f"{box.password_variable} is not set")
    kind = imaplib.IMAP4_SSL if box.use_ssl else imaplib.IMAP4
    client = kind(box.host, box.port, timeout=settings.HELPDESK_IMAP_TIMEOUT)
    try:
        client.login(box.username, password)
        status, _ = client.select(_quoted(box.folder), readonly=True)
        if status != "OK":
            raise MailboxError(f"cannot open folder {box.folder!r}")
        yield client
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _read_new(client: imaplib.IMAP4, box: Mailbox, result: PollResult, limit: int) -> None:
    validity = _uid_validity(client)
    if box.uid_validity != validity:
        # a new mailbox, or the server renumbered it: read it all again; Message-IDs already
        # taken in are answered as known, so nothing is created twice
        Mailbox.objects.filter(pk=box.pk).update(uid_validity=validity, last_uid=0)
        box.uid_validity, box.last_uid = validity, 0
    status, data = client.uid("SEARCH", "UID", f"{box.last_uid + 1}:*")
    if status != "OK":
        raise MailboxError("UID SEARCH failed")
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > box.last_uid)[:limit]
    if not uids:
        return
    sizes = _sizes(client, uids)
    for uid in uids:
        if sizes.get(uid, 0) > settings.HELPDESK_MAIL_MAX_BYTES:
            _take(box.pk, uid, raw=None)
            result.skipped += 1
            note = f"UID {uid} skipped: {sizes[uid]} bytes, over HELPDESK_MAIL_MAX_BYTES"
            Mailbox.objects.filter(pk=box.pk).update(last_error=note)
            logger.warning("Mailbox %s: %s", box.slug, note)
            continue
        status, fetched = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        raw = next((part[1] for part in fetched if isinstance(part, tuple)), None)
        if status != "OK" or not isinstance(raw, bytes):
            raise MailboxError(f"could not fetch UID {uid}")
        _take(box.pk, uid, raw=raw)
        result.taken += 1


def _uid_validity(client: imaplib.IMAP4) -> int:
    status, data = client.response("UIDVALIDITY")
    value = data[0] if data else None
    if value is None:
        raise MailboxError("the server sent no UIDVALIDITY")
    return int(value)


def _sizes(client: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    status, data = client.uid("FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)")
    sizes: dict[int, int] = {}
    for line in data if status == "OK" else []:
        text = line[0] if isinstance(line, tuple) else line
        match = _SIZE.search(text or b"")
        if match:
            uid, size = (match[1], match[2]) if match[1] else (match[4], match[3])
            sizes[int(uid)] = int(size)
    return sizes


@transaction.atomic
def _take(mailbox_id: int, uid: int, *, raw: bytes | None) -> None:
    """One message into the journey and the mailbox's UID past it, together or not at all."""
    box = Mailbox.objects.select_for_update().get(pk=mailbox_id)
    if uid <= box.last_uid:
        return  # taken by a poller whose lease ran out while it worked
    if raw is not None:
        mail_receive(mail=mail_parse(raw))
    box.last_uid = uid
    box.save(update_fields=["last_uid"])
