"""Bulk actions: one change (status, assignee, queue, tags or a macro) on many tickets, each
through the same service and rules as by hand and in its own transaction, so one ticket that
refuses (an illegal move) changes nothing on itself and stops nothing on the others."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from agents.models import Agent, SavedReply
from agents.selectors import macro_get
from core.exceptions import ApplicationError
from routing.corrections import tags_normalise
from tickets import services as tickets
from tickets.models import Queue, Status, Ticket
from tickets.selectors import ticket_list

from .changes import ticket_reassign
from .macros import macro_apply
from .status import ticket_change_status
from .tags import ticket_tags_change

BULK_LIMIT = 200
BULK_ACTIONS = ("status", "assign", "queue", "tags", "macro")
BULK_REASON = "bulk action"

Step = Callable[[Ticket], Any]


@dataclass(frozen=True)
class BulkResult:
    id: str
    ok: bool
    error: str | None = None


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, fields={"value": [message]})


def _status_step(user: User, value: Any) -> Step:
    if value not in Status.values:
        raise _invalid(f"Use one of: {', '.join(Status.values)}.")
    return lambda t: ticket_change_status(ticket=t, user=user, status=value, reason=BULK_REASON)


def _assign_step(user: User, value: Any) -> Step:
    agent = None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        agent = Agent.objects.filter(pk=value).first()
    if agent is None:
        raise _invalid("Give the id of an agent (from /api/v1/agents/).")
    return lambda t: ticket_reassign(ticket=t, user=user, agent=agent, reason=BULK_REASON)


def _queue_step(user: User, value: Any) -> Step:
    queue = None
    if isinstance(value, str) and 0 < len(value) <= 100:
        queue = Queue.objects.filter(slug=value, is_active=True).first()
    if queue is None:
        raise _invalid("Give the slug of an active queue.")
    return lambda t: ticket_reassign(ticket=t, user=user, queue=queue, reason=BULK_REASON)


def _tags_step(user: User, value: Any) -> Step:
    """`value`: a list of tags to add, or {"add": [...], "remove": [...]}."""
    if isinstance(value, list):
        value = {"add": value}
    if not isinstance(value, dict) or not set(value) <= {"add", "remove"}:
        raise _invalid('Give a list of tags, or {"add": [...], "remove": [...]}.')
    add, remove = value.get("add") or [], value.get("remove") or []
    if not isinstance(add, list) or not isinstance(remove, list) or not (add or remove):
        raise _invalid('Give a list of tags, or {"add": [...], "remove": [...]}.')
    if any(not isinstance(tag, str) for tag in [*add, *remove]):
        raise _invalid("Each tag is a string.")
    try:
        add, remove = tags_normalise(add), tags_normalise(remove)
    except ApplicationError as exc:
        raise _invalid(exc.message) from exc
    return lambda t: ticket_tags_change(
        ticket=t, user=user, add=add, remove=remove, reason=BULK_REASON
    )


def _macro_step(user: User, value: Any) -> Step:
    macro: SavedReply | None = None
    if isinstance(value, int | str) and not isinstance(value, bool):
        macro = macro_get(user=user, macro_id=value)
    if macro is None:
        raise _invalid("Give the id of a macro you may use (from /api/v1/macros/).")
    return lambda t: macro_apply(ticket=t, user=user, macro=macro)


STEPS: dict[str, Callable[[User, Any], Step]] = {
    "status": _status_step,
    "assign": _assign_step,
    "queue": _queue_step,
    "tags": _tags_step,
    "macro": _macro_step,
}


def _visible(*, user: User, ids: list[str]) -> dict[str, Ticket]:
    keys = {}
    for raw in ids:
        try:
            keys[raw] = uuid.UUID(raw)
        except ValueError:
            continue
    found = {t.pk: t for t in ticket_list(user=user).filter(pk__in=set(keys.values()))}
    return {raw: found[key] for raw, key in keys.items() if key in found}


def tickets_bulk_apply(*, user: User, ids: list[str], action: str, value: Any) -> list[BulkResult]:
    """Run `action` with `value` on each ticket of `ids` that `user` may see, one transaction
    each; a result per id, in order (repeats once). Bad input (an unknown action, a value that
    fits no ticket, too many ids) is refused before any ticket changes."""
    tickets.staff_required(user)
    if action not in STEPS:
        message = f"Use one of: {', '.join(BULK_ACTIONS)}."
        raise ApplicationError(message, fields={"action": [message]})
    ids = list(dict.fromkeys(str(raw) for raw in ids))
    if not ids:
        raise ApplicationError("Give at least one ticket id.", fields={"ids": ["Empty."]})
    if len(ids) > BULK_LIMIT:
        message = f"At most {BULK_LIMIT} tickets at once."
        raise ApplicationError(message, fields={"ids": [message]})
    step = STEPS[action](user, value)
    visible = _visible(user=user, ids=ids)
    results = []
    for raw in ids:
        ticket = visible.get(raw)
        if ticket is None:
            results.append(BulkResult(id=raw, ok=False, error="not found"))
            continue
        try:
            with transaction.atomic():
                step(ticket)
        except ApplicationError as exc:
            results.append(BulkResult(id=raw, ok=False, error=exc.message))
        else:
            results.append(BulkResult(id=raw, ok=True))
    return results
