"""The journey's services: the one way a ticket comes into being and changes, whatever the
channel. Each calls the plain writes of `tickets`, then routing, assignment and SLA in order."""

from .bulk import BULK_ACTIONS, BULK_LIMIT, BulkResult, tickets_bulk_apply
from .changes import ticket_correct, ticket_reassign
from .conversation import comment_add
from .intake import ticket_ingest, ticket_intake_drain, ticket_intake_once, ticket_submit
from .macros import MacroPreview, macro_apply, macro_preview
from .merge import ticket_merge
from .resolution import ai_lost_tickets_return, ticket_ai_resolve
from .status import ticket_change_status, ticket_system_transition
from .tags import ticket_tags_change

__all__ = [
    "BULK_ACTIONS",
    "BULK_LIMIT",
    "BulkResult",
    "MacroPreview",
    "ai_lost_tickets_return",
    "comment_add",
    "macro_apply",
    "macro_preview",
    "ticket_ai_resolve",
    "ticket_change_status",
    "ticket_correct",
    "ticket_ingest",
    "ticket_intake_drain",
    "ticket_intake_once",
    "ticket_merge",
    "ticket_reassign",
    "ticket_submit",
    "ticket_system_transition",
    "ticket_tags_change",
    "tickets_bulk_apply",
]
