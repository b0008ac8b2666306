"""Reads about agents."""

from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet

from core.roles import agent_profile, user_role
from tickets.models import OPEN_STATUSES, Ticket

from .models import Agent, AIResolutionAttempt, PushDevice, SavedReply, Skill


def agent_list() -> QuerySet[Agent]:
    """Every agent with its skills (one extra query in all) and its open ticket count, in SQL."""
    return (
        Agent.objects.select_related("user")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("slug")))
        .annotate(open_tickets=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES)))
        .order_by("user__username")
    )


def push_device_list(*, user: User) -> QuerySet[PushDevice]:
    """The phones `user` registered, newest first."""
    return PushDevice.objects.filter(user=user).order_by("-created_at", "-id")


def ai_attempts_for(*, ticket: Ticket, limit: int = 5) -> list[AIResolutionAttempt]:
    """The AI agent's latest attempts on a ticket (the resolution log the ticket page shows)."""
    return list(
        AIResolutionAttempt.objects.filter(ticket=ticket)
        .select_related("agent__user")
        .order_by("-created_at")[:limit]
    )


def macro_list(*, user: User, search: str = "") -> QuerySet[SavedReply]:
    """The active macros `user` may use: the global ones, their queues' team macros (a manager:
    every team's) and their own personal ones; `search` matches name or text."""
    role = user_role(user)
    if role not in ("agent", "manager"):
        return SavedReply.objects.none()
    agent = agent_profile(user)
    shared = Q(owner__isnull=True)
    if role == "agent" and not agent.all_queues:
        shared &= Q(queue__isnull=True) | Q(queue__in=agent.queues.values("id"))
    mine = Q(owner=agent) if agent is not None else Q(pk__in=[])
    rows = SavedReply.objects.filter(shared | mine, is_active=True)
    search = search.strip()
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(body__icontains=search))
    return rows.select_related("queue", "set_queue", "owner__user").order_by("name", "pk")


def macro_get(*, user: User, macro_id: object) -> SavedReply | None:
    """One macro `user` may use; None for missing, not theirs and malformed ids alike."""
    try:
        return macro_list(user=user).get(pk=int(str(macro_id)))
    except (SavedReply.DoesNotExist, ValueError, OverflowError):
        return None
