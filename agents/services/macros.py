"""Macros (saved replies with actions): checking and creating them, and counting their use.
Applying one to a ticket is the journey's (`journey.services.macros`): it changes the ticket."""

from django.contrib.auth.models import User
from django.db.models import F

from core.exceptions import ApplicationError, NotAllowed
from core.roles import user_role
from routing.corrections import tags_normalise
from tickets.lifecycle import AGENT_TRANSITIONS
from tickets.models import Priority, Queue

from ..models import Agent, SavedReply
from ..resolution.replies import placeholders_unknown

# the statuses a person can ever move a ticket to (a macro's status action is one of them)
MACRO_STATUSES = sorted({target for targets in AGENT_TRANSITIONS.values() for target in targets})


def macro_fields_check(
    *, body: str, set_status: str = "", set_priority: str = "", add_tags: list | tuple = ()
) -> list[str]:
    """Refuse what would go wrong on every ticket (a mistyped placeholder, a status no person
    may set); returns the tags normalised."""
    errors: dict[str, list[str]] = {}
    unknown = placeholders_unknown(body)
    if unknown:
        errors["body"] = [
            f"Unknown placeholder {', '.join(unknown)}; use {{{{ customer_name }}}}, "
            "{{ ticket_ref }}, {{ agent_name }} or {{ status_link }}."
        ]
    if set_status and set_status not in MACRO_STATUSES:
        errors["set_status"] = [f"Use one of: {', '.join(MACRO_STATUSES)}."]
    if set_priority and set_priority not in Priority.values:
        errors["set_priority"] = [f"Use one of: {', '.join(Priority.values)}."]
    try:
        tags = tags_normalise(add_tags)
    except ApplicationError as exc:
        errors["add_tags"] = exc.fields.get("tags") or [exc.message]
        tags = []
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], fields=errors)
    return tags


def macro_create(
    *,
    user: User,
    name: str,
    body: str,
    set_status: str = "",
    set_priority: str = "",
    add_tags: list | tuple = (),
    queue: Queue | None = None,
    set_queue: Queue | None = None,
    owner: Agent | None = None,
    match_text: str = "",
    language: str = "",
    ai_usable: bool = True,
) -> SavedReply:
    """A manager adds a macro: global, a queue's team macro (`queue`) or an agent's (`owner`)."""
    if user_role(user) != "manager":
        raise NotAllowed("Only managers can add macros.")
    tags = macro_fields_check(
        body=body, set_status=set_status, set_priority=set_priority, add_tags=add_tags
    )
    return SavedReply.objects.create(
        name=name,
        body=body,
        set_status=set_status,
        set_priority=set_priority,
        add_tags=tags,
        queue=queue,
        set_queue=set_queue,
        owner=owner,
        match_text=match_text,
        language=language,
        ai_usable=ai_usable and owner is None,
    )


def macro_used(*, macro: SavedReply) -> None:
    SavedReply.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
