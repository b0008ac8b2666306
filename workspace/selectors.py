"""Reads for the workspace and the customer pages, built on `tickets.selectors` (visibility)."""

import re
import uuid
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Case, Count, F, Q, QuerySet, When
from django.db.models.functions import Least

from agents.models import Agent
from core.roles import agent_profile, user_role
from live.types import EventType
from tickets.access import status_token_ticket_id
from tickets.lifecycle import MERGE_TARGET_STATUSES
from tickets.models import OPEN_STATUSES, Priority, Queue, SlaState, Status, Ticket
from tickets.search import full_text_available, search_rank, search_window, ticket_search
from tickets.selectors import TICKET_JOINS, ticket_list, ticket_visible_q

from .filters import SLA_CHOICES, STATUS_CHOICES, filters_lenient, filters_q
from .models import SavedView

_REF = re.compile(r"[0-9a-fA-F]{8}")
VIEWS = {
    "mine": "My tickets",
    "filter": "Filter tickets",
    "saved": "View",
    "open": "All open",
    "unassigned": "Unassigned",
    "escalated": "Escalated",
    "at_risk": "SLA at risk",
    "queue": "Queue",
    "search": "Search",
}
LIST_LIMIT = 100
AT_RISK_THRESHOLD = 0.5


def _with_next_due(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The next deadline that still counts: first response until answered, then resolution."""
    return qs.annotate(
        next_due=Case(
            When(
                first_response_at__isnull=True,
                sla_first_response_due__isnull=False,
                sla_resolution_due__isnull=False,
                then=Least("sla_first_response_due", "sla_resolution_due"),
            ),
            When(
                first_response_at__isnull=True,
                sla_resolution_due__isnull=True,
                then=F("sla_first_response_due"),
            ),
            default=F("sla_resolution_due"),
        )
    )


def worklist(
    *, user: User, view: str, queue_slug: str = "", query: str = "", filters: dict | None = None
) -> QuerySet[Ticket]:
    """The tickets of one workspace list, visible to `user`, most urgent first where it matters.
    `filter` and `saved` lists take `filters` (cleaned, see workspace/filters.py)."""
    if view in ("filter", "saved"):
        return filtered_tickets(user=user, filters=filters or {})
    qs = _with_next_due(ticket_list(user=user))
    open_qs = qs.filter(status__in=OPEN_STATUSES)
    if view == "mine":
        agent = agent_profile(user)
        if agent is None:
            return qs.none()
        return open_qs.filter(assigned_agent=agent).order_by(F("next_due").asc(nulls_last=True))
    if view == "open":
        return open_qs.order_by(F("next_due").asc(nulls_last=True), "-created_at")
    if view == "unassigned":
        return open_qs.filter(assigned_agent__isnull=True).order_by("-created_at")
    if view == "escalated":
        return open_qs.filter(Q(status=Status.ESCALATED) | Q(escalation_level__gt=0)).order_by(
            "-escalation_level", F("next_due").asc(nulls_last=True)
        )
    if view == "at_risk":
        at_risk = (
            Q(breach_risk__gte=AT_RISK_THRESHOLD)
            | Q(sla_first_response_state__gte=SlaState.AT_RISK)
            | Q(sla_resolution_state__gte=SlaState.AT_RISK)
        )
        return (
            open_qs.exclude(status=Status.PENDING_CUSTOMER)
            .filter(at_risk, next_due__isnull=False)  # type: ignore[misc]  # annotated above
            .order_by(F("next_due").asc(), F("breach_risk").desc(nulls_last=True))
        )
    if view == "queue":
        return open_qs.filter(queue__slug=queue_slug).order_by(
            F("next_due").asc(nulls_last=True), "-created_at"
        )
    if view == "search":
        return _with_next_due(ticket_find(user=user, query=query))
    return qs.none()


def ticket_find(*, user: User, query: str) -> QuerySet[Ticket]:
    """The workspace's search box: an exact id, reference (the 8 characters customers quote),
    external id or e-mail comes first; then full text (tickets.search), best match first."""
    qs = ticket_list(user=user)
    query = query.strip()
    if not query:
        return qs.none()
    exact = Q(external_id=query)
    if "@" in query and " " not in query:
        exact |= Q(customer_email__in={query, query.lower()})
    if _looks_like_uuid(query):
        exact |= Q(pk=query)
    elif _REF.fullmatch(query):
        ref = query.lower()  # a range on the primary key: its index answers it
        exact |= Q(pk__gte=f"{ref}-0000-0000-0000-000000000000") & Q(
            pk__lte=f"{ref}-ffff-ffff-ffff-ffffffffffff"
        )
    exact_ids = list(qs.filter(exact).values_list("pk", flat=True)[:20])
    text = search_window(qs, text=query)
    if not full_text_available(qs.db):
        text = qs.filter(Q(pk__in=text) | Q(customer_email__icontains=query)).values("pk")
    # a fresh query over the ids `qs` (what `user` may see) allowed, so the planner starts there
    return (
        Ticket.objects.filter(Q(pk__in=exact_ids) | Q(pk__in=text))
        .select_related(*TICKET_JOINS)
        .annotate(
            exact_hit=Case(When(pk__in=exact_ids, then=1), default=0),
            search_rank=search_rank(query, using=qs.db),
        )
        .order_by("-exact_hit", "-search_rank", "-created_at")
    )


def filtered_tickets(*, user: User, filters: dict) -> QuerySet[Ticket]:
    """A filtered list (or a saved view) within what `user` may see: best match first when it
    has words, else the next deadline first."""
    text = filters.get("text", "")
    scoped = ticket_list(user=user).filter(filters_q({**filters, "text": ""}, user=user))
    if text:
        return _with_next_due(ticket_search(scoped, text=text).select_related(*TICKET_JOINS))
    return _with_next_due(scoped).order_by(F("next_due").asc(nulls_last=True), "-created_at")


def filter_choices(*, user: User) -> dict:
    """What the filter form offers: the queues `user` works in, the agents, the choices."""
    return {
        "filter_queues": queues_for(user=user),
        "filter_agents": Agent.objects.select_related("user").order_by("user__username"),
        "status_choices": STATUS_CHOICES,
        "priority_choices": Priority.values,
        "sla_choices": SLA_CHOICES,
        "is_manager": user_role(user) == "manager",
    }


def saved_views_for(*, user: User) -> QuerySet[SavedView]:
    """The views in `user`'s sidebar: their own and the shared ones (none for customers)."""
    if user_role(user) not in ("agent", "manager"):
        return SavedView.objects.none()
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).order_by("-shared", "name")


def saved_view_get(*, user: User, view_id: int | str) -> SavedView | None:
    """A view `user` may open: their own or a shared one; None otherwise."""
    try:
        return saved_views_for(user=user).filter(pk=int(view_id)).first()
    except (TypeError, ValueError):
        return None


def saved_views_with_counts(*, user: User) -> list[SavedView]:
    """`user`'s views, each with `count`: its tickets that `user` may see, all counted in one
    query (one Count(filter=...) per view over the tickets any of them selects). A view with
    words counts what its list holds: the newest matches, up to the search's rank window."""
    views = list(saved_views_for(user=user))
    visible = ticket_visible_q(user)
    if not views or visible is None:
        return views
    conditions = {f"v{view.pk}": _view_condition(view, user=user) for view in views}
    any_view = Q(pk__in=[])
    for condition in conditions.values():
        any_view |= condition
    counts = (
        Ticket.objects.filter(visible)
        .filter(any_view)
        .aggregate(**{key: Count("pk", filter=q) for key, q in conditions.items()})
    )
    for view in views:
        view.count = counts[f"v{view.pk}"]  # type: ignore[attr-defined]  # for the template
    return views


def _view_condition(view: SavedView, *, user: User) -> Q:
    filters = filters_lenient(view.filters)
    rest = filters_q({**filters, "text": ""}, user=user, using=Ticket.objects.db)
    if not filters.get("text"):
        return rest
    scoped = ticket_list(user=user).filter(rest)
    return rest & Q(pk__in=search_window(scoped, text=filters["text"]))


def _looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def queues_for(*, user: User) -> QuerySet[Queue]:
    """The queues in the agent's sidebar, with their open ticket counts (one query)."""
    role = user_role(user)
    qs = Queue.objects.filter(is_active=True)
    if role == "agent":
        agent = agent_profile(user)
        if not agent.all_queues:
            qs = qs.filter(pk__in=agent.queues.values("id"))
    elif role != "manager":
        return qs.none()
    return qs.annotate(
        open_count=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES))
    ).order_by("name")


def customer_previous_tickets(*, ticket: Ticket, user: User, limit: int = 10) -> QuerySet[Ticket]:
    """The same customer's other tickets (by account or e-mail), as far as `user` may see them."""
    visible = ticket_visible_q(user)
    same = Q(pk__in=[])
    if ticket.customer_id:
        same |= Q(customer_id=ticket.customer_id)
    if ticket.customer_email:
        same |= Q(customer_email__iexact=ticket.customer_email)
    if visible is None or not (ticket.customer_id or ticket.customer_email):
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(visible)
        .filter(same)
        .exclude(pk=ticket.pk)
        .only("id", "subject", "status", "created_at")
        .order_by("-created_at")[:limit]
    )


def merge_candidates(*, ticket: Ticket, user: User, limit: int = 10) -> list[Ticket]:
    """The same customer's tickets this one could be merged into: open ones `user` may see."""
    if ticket.merged_into_id is not None or ticket.status == Status.CLOSED:
        return []
    previous = customer_previous_tickets(ticket=ticket, user=user, limit=limit * 3)
    return [p for p in previous if p.status in MERGE_TARGET_STATUSES][:limit]


def ticket_for_status_token(*, token: str) -> Ticket | None:
    ticket_id = status_token_ticket_id(token=token)
    if ticket_id is None:
        return None
    return (
        Ticket.objects.select_related("queue", "category", "assigned_agent__user")
        .filter(pk=ticket_id)
        .first()
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def ticket_snapshot(*, ticket: Ticket, staff: bool) -> dict:
    """The `ticket.snapshot` message: the ticket's current state, as its audience may see it."""
    snapshot = {
        "type": EventType.SNAPSHOT,
        "ticket_id": str(ticket.pk),
        "status": ticket.status,
        "queue": ticket.queue.slug if ticket.queue else None,
        "category": ticket.category.slug if ticket.category else None,
        "priority": ticket.priority,
        "confidence": ticket.confidence if staff else None,  # routing's view: staff only
        "assigned_agent": ticket.assigned_agent.name if ticket.assigned_agent else None,
        "escalation_level": ticket.escalation_level,
        "sla_first_response_due": _iso(ticket.sla_first_response_due),
        "sla_resolution_due": _iso(ticket.sla_resolution_due),
        "updated_at": _iso(ticket.updated_at),
    }
    if staff:
        snapshot["breach_risk"] = ticket.breach_risk
        snapshot["routing_reason"] = ticket.routing_reason
    return snapshot
