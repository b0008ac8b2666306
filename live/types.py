"""The names of the live events (docs/WORKSPACE.md, CONTRACT.md "Live status"). Each message a
socket receives is one JSON object whose `type` is one of these; they are strings, so they encode
and compare as the plain names."""

from enum import StrEnum


class EventType(StrEnum):
    CREATED = "ticket.created"
    ROUTED = "ticket.routed"
    ASSIGNED = "ticket.assigned"
    REASSIGNED = "ticket.reassigned"
    STATUS_CHANGED = "ticket.status_changed"
    COMMENT_ADDED = "ticket.comment_added"
    ESCALATED = "ticket.escalated"
    RESOLVED = "ticket.resolved"
    TAGS_CHANGED = "ticket.tags_changed"  # staff only
    MERGED = "ticket.merged"  # on both tickets of a merge
    SNAPSHOT = "ticket.snapshot"  # the first message of a ticket socket: its current state
