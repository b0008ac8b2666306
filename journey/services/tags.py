"""Tags by hand: an agent or manager adds and removes tags on a ticket (the workspace, the API,
macros, bulk actions). Each change is a `tags_changed` event; the open pages of the ticket hear
of it live."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from core.exceptions import ApplicationError
from live import realtime
from live.types import EventType
from routing.corrections import ticket_tags_set
from routing.tags import tags_normalise
from tickets import services as tickets
from tickets.models import Ticket


@transaction.atomic
def ticket_tags_change(
    *,
    ticket: Ticket,
    user: User,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    reason: str = "",
) -> Ticket:
    """Add `add` and remove `remove` (normalised: trimmed, lowercased; junk is a 400 that
    changes nothing). A tag both added and removed is a 400 too; no change writes nothing."""
    tickets.staff_required(user)
    adding = tags_normalise(list(add), field="add")
    removing = tags_normalise(list(remove), field="remove")
    both = sorted(set(adding) & set(removing))
    if both:
        message = f"Add or remove a tag, not both: {', '.join(both)}."
        raise ApplicationError(message, fields={"remove": [message]})
    ticket = tickets.ticket_lock(ticket)
    added, removed = ticket_tags_set(
        ticket=ticket, actor=user, add=adding, remove=removing, reason=reason
    )
    if added or removed:
        realtime.publish(
            EventType.TAGS_CHANGED,
            ticket,
            {"tags": list(ticket.tags), "added": added, "removed": removed},
            internal=True,
        )
    return ticket
