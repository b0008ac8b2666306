"""People (and the AI agent) changing what routing decided: a queue move (reassignment), a
correction of category, priority or queue, and tags. Queue moves and corrections are events the
next training run learns from (`reassigned`, `corrected`); the journey layer runs what follows
(SLA, assignment)."""

from core.exceptions import ApplicationError
from tickets import events
from tickets.models import Category, Queue, Ticket

from .tags import MAX_TAGS, tag_key, tags_normalise  # noqa: F401  (macros and bulk use it here)


def ticket_queue_move(*, ticket: Ticket, queue: Queue, actor, reason: str) -> str | None:
    """Move a locked ticket to `queue`; returns the slug of the queue it left."""
    before = ticket.queue.slug if ticket.queue else None
    ticket.queue = queue
    ticket.save(update_fields=["queue", "updated_at"])
    events.ticket_reassigned_event(
        ticket=ticket,
        actor=actor,
        field="queue",
        before=before,
        after=queue.slug,
        reason=reason,
    )
    return before


def ticket_routing_correct(
    *,
    ticket: Ticket,
    actor,
    category: Category | None = None,
    priority: str | None = None,
    queue: Queue | None = None,
    reason: str = "",
) -> dict[str, tuple]:
    """Correct a locked ticket's routing; returns {field: (before, after)} of what changed."""
    changes: dict[str, tuple] = {}
    if category is not None and category.pk != ticket.category_id:
        changes["category"] = (ticket.category.slug if ticket.category else None, category.slug)
        ticket.category = category
    if priority is not None and priority != ticket.priority:
        changes["priority"] = (ticket.priority, priority)
        ticket.priority = priority
    if queue is not None and queue.pk != ticket.queue_id:
        changes["queue"] = (ticket.queue.slug if ticket.queue else None, queue.slug)
        ticket.queue = queue
    if not changes:
        return changes
    ticket.save(update_fields=["category", "priority", "queue", "updated_at"])
    for field, (before, after) in changes.items():
        events.ticket_corrected_event(
            ticket=ticket,
            actor=actor,
            field=field,
            before=before,
            after=after,
            reason=reason,
        )
    return changes


def ticket_tags_add(*, ticket: Ticket, tags: list[str]) -> None:
    """Add tags to a locked ticket (in order, without duplicates)."""
    merged = list(dict.fromkeys([*(ticket.tags or []), *tags]))
    if merged != ticket.tags:
        ticket.tags = merged
        ticket.save(update_fields=["tags", "updated_at"])


def ticket_tags_set(
    *, ticket: Ticket, actor, add: list[str], remove: list[str], reason: str = ""
) -> tuple[list[str], list[str]]:
    """A person (by hand, a macro, a bulk action) adds and removes tags (already normalised:
    `tags_normalise`) on a locked ticket, with a `tags_changed` event; returns (added, removed):
    what actually changed."""
    before = list(ticket.tags or [])
    # tags written before by rules or imports may not be in normal form: match by it
    have = {tag_key(tag) for tag in before}
    gone = set(remove)
    after = [*before, *(tag for tag in add if tag not in have)]
    after = [tag for tag in dict.fromkeys(after) if tag_key(tag) not in gone]
    added = [tag for tag in after if tag not in before]
    removed = [tag for tag in before if tag not in after]
    if not added and not removed:
        return [], []
    if len(after) > MAX_TAGS:
        message = f"A ticket may have at most {MAX_TAGS} tags."
        raise ApplicationError(message, fields={"add": [message]})
    ticket.tags = after
    ticket.save(update_fields=["tags", "updated_at"])
    events.ticket_tags_changed_event(
        ticket=ticket, actor=actor, before=before, added=added, removed=removed, reason=reason
    )
    return added, removed
