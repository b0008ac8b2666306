"""Every write of the tickets app, by concern: storing a new ticket (`store`), the lifecycle and
conversation (`lifecycle`), the intake work list (`intake`). None of them calls an app above
tickets; the journey layer (`journey/`) runs the follow-ups."""

from .account import customer_account_update
from .intake import ticket_intake_claim, ticket_intake_lock, ticket_intake_taken
from .lifecycle import (
    author_kind_for,
    comment_write,
    staff_required,
    ticket_first_response_record,
    ticket_lock,
    ticket_status_apply,
    ticket_system_move,
)
from .store import TicketCreateResult, ticket_store, ticket_store_pending, tickets_store_history

__all__ = [
    "customer_account_update",
    "TicketCreateResult",
    "author_kind_for",
    "comment_write",
    "staff_required",
    "ticket_first_response_record",
    "ticket_intake_claim",
    "ticket_intake_lock",
    "ticket_intake_taken",
    "ticket_lock",
    "ticket_status_apply",
    "ticket_store",
    "ticket_store_pending",
    "ticket_system_move",
    "tickets_store_history",
]
