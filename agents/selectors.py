"""Reads about agents."""

from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet

from tickets.models import OPEN_STATUSES, Ticket

from .models import Agent, AIResolutionAttempt, PushDevice, Skill


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
