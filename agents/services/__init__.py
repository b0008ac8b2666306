"""Assignment, reassignment, the AI resolution agent and notifications (writes)."""

from .assignment import (
    AssignmentResult,
    ticket_assign,
    ticket_assign_waiting,
    ticket_intake_assign,
)
from .reassignment import ticket_assign_after_queue_change, ticket_assign_to, ticket_capacity_freed

__all__ = [
    "AssignmentResult",
    "ticket_assign",
    "ticket_assign_after_queue_change",
    "ticket_assign_to",
    "ticket_assign_waiting",
    "ticket_capacity_freed",
    "ticket_intake_assign",
]
