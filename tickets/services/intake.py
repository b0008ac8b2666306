"""The intake work list: tickets stored by the ingestion fast path and not yet taken in.

The journey layer's drain claims them one at a time (`SELECT ... FOR UPDATE SKIP LOCKED`, so
several workers share the list) and runs each through routing, assignment and SLA."""

import uuid

from ..models import Ticket
from ..selectors import customer_for_email


def ticket_intake_claim(*, skip: list[uuid.UUID]) -> Ticket | None:
    """The oldest pending ticket nobody else holds, locked for the caller's transaction."""
    return (
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(intake_pending=True)
        .exclude(pk__in=skip)
        .order_by("created_at")
        .first()
    )


def ticket_intake_lock(*, ticket_id: uuid.UUID | str) -> Ticket | None:
    """One stored ticket, locked, if it has not been routed yet (a retried task finds nothing)."""
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None or ticket.events.filter(kind="routed").exists():
        return None
    return ticket


def ticket_intake_taken(*, ticket: Ticket) -> None:
    """A pending ticket leaves the list; its customer's account is linked by e-mail."""
    ticket.intake_pending = False
    changed = ["intake_pending"]
    if ticket.customer_id is None and ticket.customer_email:
        ticket.customer = customer_for_email(email=ticket.customer_email)
        changed.append("customer")
    ticket.save(update_fields=changed)
