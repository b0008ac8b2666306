"""Each agent's open tickets (every status in OPEN_STATUSES), counted in SQL."""

from collections.abc import Iterable

from django.db.models import Count

from tickets.models import OPEN_STATUSES, Ticket

from .models import Agent, AgentLoad


def open_ticket_count(agent_id: int) -> int:
    """Exact, for the capacity check under the agent's row lock (an index-only scan)."""
    return Ticket.objects.filter(assigned_agent_id=agent_id, status__in=OPEN_STATUSES).count()


def _counts(agent_ids: list[int] | None) -> dict[int, int]:
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES, assigned_agent__isnull=False)
    if agent_ids is not None:
        tickets = tickets.filter(assigned_agent_id__in=agent_ids)
    return dict(tickets.values_list("assigned_agent_id").annotate(n=Count("id")))


def agent_load_refresh(*, agent_ids: Iterable[int | None] | None = None) -> dict[int, int]:
    """Re-count and store the load of `agent_ids` (None: every agent), in id order so two
    transactions never take the rows' locks in opposite orders."""
    if agent_ids is None:
        ids = sorted(Agent.objects.values_list("pk", flat=True))
        counts = _counts(None)
    else:
        ids = sorted({pk for pk in agent_ids if pk})
        if not ids:
            return {}
        counts = _counts(ids)
    AgentLoad.objects.bulk_create(
        [AgentLoad(agent_id=pk, open_tickets=counts.get(pk, 0)) for pk in ids],
        update_conflicts=True,
        unique_fields=["agent"],
        update_fields=["open_tickets", "updated_at"],
    )
    return {pk: counts.get(pk, 0) for pk in ids}


def agent_loads(agent_ids: list[int]) -> dict[int, int]:
    """Stored loads, one indexed lookup; agents never counted yet are counted now (read only:
    rows are written by assignment, status changes and the sweep, never while ranking)."""
    loads = dict(
        AgentLoad.objects.filter(agent_id__in=agent_ids).values_list("agent_id", "open_tickets")
    )
    missing = [pk for pk in agent_ids if pk not in loads]
    if missing:
        counts = _counts(missing)
        loads.update({pk: counts.get(pk, 0) for pk in missing})
    return loads
