"""The filters a workspace list (and a saved view) can hold: checked, then turned into a Q.

Keys: `queue` (slug), `status` (a status, `open` for any open one, or `any`; `open` when
absent), `priority`, `tag`, `sla` (`on_track`, `at_risk`, `breached`), `assignee` (`me`,
`none` or an agent's id) and `text` (full text, as the search box). Unknown keys are ignored;
a bad value is a `FilterError` naming the key."""

import json

from django.contrib.auth.models import User
from django.db import connections
from django.db.models import Q

from core.exceptions import ApplicationError
from core.roles import agent_profile
from tickets.models import OPEN_STATUSES, Priority, SlaState, Status
from tickets.search import MAX_QUERY_LENGTH, search_q

KEYS = ("queue", "status", "priority", "tag", "sla", "assignee", "text")
STATUS_CHOICES = ["open", "any", *Status.values]
SLA_CHOICES = ["on_track", "at_risk", "breached"]
AT_RISK_THRESHOLD = 0.5


class FilterError(ApplicationError):
    pass


def filters_clean(raw: dict) -> dict:
    """The known, non-empty filters of `raw`, checked; FilterError on a bad value."""
    clean: dict[str, str] = {}
    for key in KEYS:
        value = _value(key, raw.get(key))
        if value:
            clean[key] = _checked(key, value)
    clean.setdefault("status", "open")
    return clean


def filters_lenient(raw: dict) -> dict:
    """As `filters_clean`, dropping bad values instead of refusing (stored views outlive
    queues and agents)."""
    clean: dict[str, str] = {}
    for key in KEYS:
        try:
            value = _value(key, (raw or {}).get(key))
            if value:
                clean[key] = _checked(key, value)
        except FilterError:
            continue
    clean.setdefault("status", "open")
    return clean


def _value(key: str, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise FilterError(f"'{key}' must be a string.", fields={key: ["Must be a string."]})
    return str(value).strip()


def _checked(key: str, value: str) -> str:
    def bad(message: str) -> FilterError:
        return FilterError(f"{key}: {message}", fields={key: [message]})

    if key == "status" and value not in STATUS_CHOICES:
        raise bad(f"Use one of {', '.join(STATUS_CHOICES)}.")
    if key == "priority" and value not in Priority.values:
        raise bad(f"Use one of {', '.join(Priority.values)}.")
    if key == "sla" and value not in SLA_CHOICES:
        raise bad(f"Use one of {', '.join(SLA_CHOICES)}.")
    if key == "assignee" and value not in ("me", "none") and not value.isdigit():
        raise bad("Use me, none or an agent's id.")
    if key in ("queue", "tag") and len(value) > 100:
        raise bad("At most 100 characters.")
    if key == "text" and len(value) > MAX_QUERY_LENGTH:
        raise bad(f"At most {MAX_QUERY_LENGTH} characters.")
    return value


def filters_q(filters: dict, *, user: User, using: str = "default") -> Q:
    """The tickets `filters` (already cleaned) select, for `user` (`assignee: me`)."""
    q = Q()
    status = filters.get("status", "open")
    if status == "open":
        q &= Q(status__in=OPEN_STATUSES)
    elif status != "any":
        q &= Q(status=status)
    if filters.get("queue"):
        q &= Q(queue__slug=filters["queue"])
    if filters.get("priority"):
        q &= Q(priority=filters["priority"])
    if filters.get("tag"):
        q &= _tag_q(filters["tag"], using)
    if filters.get("sla"):
        q &= _sla_q(filters["sla"])
    if filters.get("assignee"):
        q &= _assignee_q(filters["assignee"], user)
    if filters.get("text"):
        q &= search_q(filters["text"], using=using)
    return q


def _tag_q(tag: str, using: str) -> Q:
    if connections[using].vendor == "postgresql":
        return Q(tags__contains=[tag])  # jsonb @>
    return Q(tags__icontains=json.dumps(tag))  # SQLite has no JSON containment


def _sla_q(state: str) -> Q:
    breached = Q(sla_first_response_state=SlaState.BREACHED) | Q(
        sla_resolution_state=SlaState.BREACHED
    )
    at_risk = (
        Q(sla_first_response_state=SlaState.AT_RISK)
        | Q(sla_resolution_state=SlaState.AT_RISK)
        | Q(breach_risk__gte=AT_RISK_THRESHOLD)
    )
    if state == "breached":
        return breached
    if state == "at_risk":
        return at_risk & ~breached
    return ~breached & ~at_risk


def _assignee_q(assignee: str, user: User) -> Q:
    if assignee == "none":
        return Q(assigned_agent__isnull=True)
    if assignee == "me":
        agent = agent_profile(user)
        return Q(assigned_agent=agent) if agent is not None else Q(pk__in=[])
    return Q(assigned_agent_id=int(assignee))
