"""The ticket lifecycle of CONTRACT.md as plain data. Services consult it; nothing else decides."""

from .models import Status

# What an agent (or a manager) may do by hand.
AGENT_TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.IN_PROGRESS},
    Status.ASSIGNED: {Status.IN_PROGRESS},
    Status.ESCALATED: {Status.IN_PROGRESS},
    Status.IN_PROGRESS: {Status.PENDING_CUSTOMER, Status.RESOLVED},
    Status.PENDING_CUSTOMER: {Status.IN_PROGRESS, Status.RESOLVED},
    Status.RESOLVED: {Status.CLOSED},
    Status.CLOSED: set(),
}

# What a customer's reply does to the status.
CUSTOMER_REPLY_TRANSITIONS: dict[str, str] = {
    Status.PENDING_CUSTOMER: Status.IN_PROGRESS,
    Status.RESOLVED: Status.OPEN,
}

# What the system itself does (assignment, SLA escalation, the AI resolution agent).
SYSTEM_TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.ASSIGNED, Status.ESCALATED, Status.RESOLVED},
    Status.ASSIGNED: {Status.OPEN, Status.ESCALATED, Status.RESOLVED},
    Status.IN_PROGRESS: {Status.ESCALATED},
    Status.ESCALATED: {Status.ASSIGNED, Status.RESOLVED},
    Status.PENDING_CUSTOMER: set(),
    Status.RESOLVED: {Status.CLOSED},
    Status.CLOSED: set(),
}


# Merging a duplicate into another ticket closes it (a system move, whatever its status);
# only an open ticket can take one in.
MERGE_SOURCE_STATUSES = frozenset(s for s in Status if s != Status.CLOSED)
MERGE_TARGET_STATUSES = frozenset(
    {Status.OPEN, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER, Status.ESCALATED}
)


def agent_can_transition(current: str, target: str) -> bool:
    return target in AGENT_TRANSITIONS.get(current, set())


def system_can_transition(current: str, target: str) -> bool:
    return target in SYSTEM_TRANSITIONS.get(current, set())
