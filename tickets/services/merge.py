"""The plain write of a merge: a duplicate's conversation, files and mail thread move onto the
ticket it is folded into, and the duplicate closes with `merged_into` set. The rules (who may,
which tickets) and the follow-ups (capacity, SLA, telling the customer) are the journey's
(`journey.services.merge`). Callers hold both tickets' row locks."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q

from core.exceptions import TransitionError
from live import realtime
from live.types import EventType

from .. import events
from ..lifecycle import MERGE_SOURCE_STATUSES, MERGE_TARGET_STATUSES
from ..models import Attachment, AuthorKind, Comment, MailMessage, Status, Ticket
from ..text import truncate
from .lifecycle import comment_write, ticket_status_apply


@dataclass
class MergeResult:
    source: Ticket
    target: Ticket
    note: Comment  # the system comment on the target holding the source's first message
    before: str  # the source's status before it closed


def tickets_lock_pair(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    """Lock two tickets in a stable order (by id), so two merges of the same pair, either way
    round, wait for each other instead of deadlocking; returns them in the order given."""
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
    }
    return locked[first.pk], locked[second.pk]


def merge_check(*, source: Ticket, target: Ticket) -> None:
    """The lifecycle's say on a merge; a 409 that changes nothing otherwise."""
    if source.pk == target.pk:
        raise TransitionError("A ticket cannot be merged into itself.")
    if source.merged_into_id is not None:
        raise TransitionError(f"Ticket #{source.ref} was merged already.")
    if source.status not in MERGE_SOURCE_STATUSES:
        raise TransitionError(f"A {source.status} ticket cannot be merged.")
    if target.merged_into_id is not None or target.status not in MERGE_TARGET_STATUSES:
        raise TransitionError(
            f"Ticket #{target.ref} is {target.status}: merge into an open ticket."
        )


def same_customer(first: Ticket, second: Ticket) -> bool:
    """The same customer account, or (where a ticket has none) the same e-mail address."""
    if first.customer_id and second.customer_id:
        return first.customer_id == second.customer_id
    email = (first.customer_email or "").lower()
    return bool(email) and email == (second.customer_email or "").lower()


def merge_note_text(*, source: Ticket, for_customer: bool) -> str:
    """The target's system comment: the source's subject and first message, as the customer
    wrote them, with a line saying what happened."""
    if for_customer:
        head = (
            f"Your request #{source.ref} “{source.subject}” was combined with this one, so that "
            "everything is answered in one place. We continue here."
        )
    else:
        who = source.customer_email or "another customer"
        head = f"Merged from #{source.ref} “{source.subject}” ({who})."
    body = source.body.strip() or "(no message)"
    return truncate(f"{head}\n\n{body}", settings.HELPDESK_MAX_BODY)


def ticket_merge_write(
    *, source: Ticket, target: Ticket, actor: User | None, staff_only: bool = False
) -> MergeResult:
    """Fold locked `source` into locked `target` (already checked with `merge_check`).
    `staff_only`: the tickets are different customers', so nothing of the source becomes
    visible to the target's customer (its comments move as internal notes)."""
    note = comment_write(
        ticket=target,
        author=None,
        author_kind=AuthorKind.SYSTEM,
        body=merge_note_text(source=source, for_customer=not staff_only),
        internal=staff_only,
    )
    comments = Comment.objects.filter(ticket=source)
    if staff_only:
        comments.filter(internal=False).update(internal=True)
    moved_comments = comments.update(ticket=target)
    # the files of the source's first message go with the note that now holds it
    Attachment.objects.filter(ticket=source, comment__isnull=True).update(comment=note)
    moved_files = Attachment.objects.filter(ticket=source).update(ticket=target)
    # its thread too: the target's next mail names it, and its first mail's text stays readable
    MailMessage.objects.filter(
        Q(ticket=source, comment__isnull=True, direction=MailMessage.Direction.IN)
    ).update(comment=note)
    MailMessage.objects.filter(ticket=source).update(ticket=target)

    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    reason = f"merged into #{target.ref}"
    before = ticket_status_apply(source, Status.CLOSED, actor=actor, reason=reason)
    events.ticket_merged_event(ticket=source, actor=actor, into=target, reason=reason)
    events.ticket_merged_in_event(
        ticket=target,
        actor=actor,
        source=source,
        comments=moved_comments,
        attachments=moved_files,
    )
    realtime.publish(EventType.MERGED, source, {"into": str(target.pk), "status": source.status})
    realtime.publish(EventType.MERGED, target, {"from": str(source.pk)}, internal=staff_only)
    return MergeResult(source=source, target=target, note=note, before=before)
