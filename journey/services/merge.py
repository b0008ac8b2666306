"""Merging a duplicate into another ticket of the same customer (a manager may merge across
customers): the conversation, files and mail thread move over, the duplicate closes with
`merged_into` set, and the customer is told once. One transaction, both tickets locked."""

from django.contrib.auth.models import User
from django.db import transaction

from agents.services import notifications
from core.exceptions import NotAllowed
from core.roles import user_role
from tickets import services as tickets
from tickets.mail import reply_subject
from tickets.models import Ticket
from tickets.services.merge import (
    MergeResult,
    merge_check,
    same_customer,
    ticket_merge_write,
    tickets_lock_pair,
)

from .. import pipeline


@transaction.atomic
def ticket_merge(*, source: Ticket, target: Ticket, user: User) -> MergeResult:
    """Fold `source` into `target` (both tickets the caller may see: the views check that).
    Merging into itself, into a closed or merged ticket, or a ticket merged already is a 409;
    an agent merging two customers' tickets a 403; either way nothing changes."""
    merge_allowed(source=source, target=target, user=user)
    source, target = tickets_lock_pair(source, target)
    merge_allowed(source=source, target=target, user=user)  # the rows as they are now
    customers_differ = not same_customer(source, target)
    result = ticket_merge_write(
        source=source, target=target, actor=user, staff_only=customers_differ
    )
    pipeline.status_changed(ticket=source, before=result.before, after=source.status)
    if customers_differ:
        _tell_source_customer(source=source, target=target)
    else:
        # the public note on the target says it; it reaches them as any reply does, once
        notifications.customer_reply_notify(ticket=target, comment=result.note)
    return result


def merge_allowed(*, source: Ticket, target: Ticket, user: User) -> None:
    """The rules of a merge, without changing anything (the workspace asks before it confirms):
    staff only; the lifecycle's say (a 409); two customers' tickets only by a manager (a 403)."""
    tickets.staff_required(user)
    merge_check(source=source, target=target)
    if not same_customer(source, target) and user_role(user) != "manager":
        raise NotAllowed("Only a manager can merge tickets of different customers.")


def _tell_source_customer(*, source: Ticket, target: Ticket) -> None:
    """A customer whose request joined someone else's ticket hears it on their own thread."""
    notifications.notification_enqueue(
        event="ticket.merged",
        ticket=source,
        audience="customer",
        dedupe="merged",
        title=reply_subject(source),
        body=(
            f"Your request “{source.subject}” (#{source.ref}) is now handled together with "
            "other reports of the same problem. Replies to this message still reach us."
        ),
        data={"merged_into": str(target.pk)},
        backends={"email", "webhook"},
    )
