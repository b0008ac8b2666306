"""Tags by hand: a person adds and removes a ticket's tags (a `corrected` event of `tags`)."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from routing.corrections import tags_normalise, ticket_tags_set
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
    """Add and remove tags (a tag in both is removed); nothing changed, nothing written."""
    tickets.staff_required(user)
    add, remove = tags_normalise(add), tags_normalise(remove)
    ticket = tickets.ticket_lock(ticket)
    ticket_tags_set(ticket=ticket, actor=user, add=add, remove=remove, reason=reason)
    return ticket
