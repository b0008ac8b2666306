"""Automatic assignment: the best eligible human agent with room, under row locks.

Correctness under concurrency rests on the database, not on Python checks: the ticket row is
locked (so it is assigned once), and the chosen agent's row is locked with
`SELECT ... FOR UPDATE SKIP LOCKED` before their open tickets are counted again; the count and the
assignment happen while the lock is held, so two transactions can never both fill one slot."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from core.jobs import enqueue_on_commit
from live import realtime
from live.types import EventType
from tickets import events
from tickets.models import OPEN_STATUSES, PRIORITY_RANK, Status, Ticket
from tickets.services import ticket_system_move

from ..eligibility import eligible_agents
from ..models import Agent, AgentKind
from ..ranking import Score, rank_agents
from ..workload import agent_load_refresh, open_ticket_count
from .agent_alerts import agent_assignment_notify

SYNCED_FIELDS = ("assigned_agent_id", "status", "escalation_level", "updated_at", "tags")
WAITING_STATUSES = (Status.OPEN, Status.ESCALATED)
NOBODY_FREE = "no eligible agent free"


@dataclass
class AssignmentResult:
    agent: Agent | None
    score: Score | None = None
    runner_up: Score | None = None
    waiting: bool = False


def _sync(target: Ticket, source: Ticket) -> None:
    """Keep the caller's instance (e.g. the one `ticket_create` returns) in step with the row."""
    if target is source:
        return
    for field in SYNCED_FIELDS:
        setattr(target, field, getattr(source, field))
    if "assigned_agent" in target._state.fields_cache:
        del target._state.fields_cache["assigned_agent"]


class _Full(Exception):
    """Rolls the savepoint back, which releases the row lock on an agent who has no room."""


def _lock_with_room(agent_id: int, *, skip_locked: bool) -> Agent | None | Literal[False]:
    """The locked agent if they still have room; None if full or gone; False if locked elsewhere.

    A transaction keeps at most one agent row locked (the one it assigns to): locks taken on full
    agents are released at once, so two assignments never wait on each other's agents."""
    try:
        with transaction.atomic():
            rows = Agent.objects.select_for_update(skip_locked=skip_locked, of=("self",))
            agent = rows.filter(pk=agent_id).select_related("user").first()
            if agent is None:
                return False if Agent.objects.filter(pk=agent_id).exists() else None
            if not agent.is_available or open_ticket_count(agent.pk) >= agent.max_tickets:
                raise _Full
            return agent
    except _Full:
        return None


def _claim(ranked: list[Score]) -> tuple[Agent, Score] | None:
    """Lock the best agent who still has room: first without waiting on rows other transactions
    hold, then (only if every one of them was busy) waiting for them in rank order."""
    busy: list[Score] = []
    for score in ranked:
        agent = _lock_with_room(score.agent_id, skip_locked=True)
        if agent is False:
            busy.append(score)
        elif agent is not None:
            return agent, score
    for score in busy:
        agent = _lock_with_room(score.agent_id, skip_locked=False)
        if agent:
            return agent, score
    return None


def _publish_assigned(ticket: Ticket, agent: Agent) -> None:
    realtime.publish(EventType.ASSIGNED, ticket, {"agent": agent.name, "agent_id": agent.pk})


def ticket_assign_agent(
    *,
    ticket: Ticket,
    agent: Agent,
    actor: User | None = None,
    reason: str = "",
    data: dict | None = None,
    by_person: bool = False,
) -> Ticket:
    """Record `agent` on a locked ticket, move it to `assigned` where the lifecycle allows, and
    tell the agent (after commit, if they want to know).
    `by_person`: a person chose the agent (a `reassigned` event, which the ranking counts)."""
    before = ticket.assigned_agent.name if ticket.assigned_agent else None
    previous_id = ticket.assigned_agent_id
    ticket.assigned_agent = agent
    ticket.save(update_fields=["assigned_agent", "updated_at"])
    agent_load_refresh(agent_ids=[previous_id, agent.pk])
    if by_person:
        event = events.ticket_reassigned_event(
            ticket=ticket,
            actor=actor,
            field="assigned_agent",
            before=before,
            after=agent.name,
            reason=reason,
            data=data,
        )
    else:
        event = events.ticket_assigned_event(
            ticket=ticket, before=before, after=agent.name, reason=reason, data=data
        )
    # here, where every assignment is recorded (intake, the sweep, a person's choice, a hand-off)
    agent_assignment_notify(ticket=ticket, agent=agent, event=event, actor=actor)
    if ticket.status in (Status.OPEN, Status.ESCALATED):
        ticket, _ = ticket_system_move(ticket=ticket, status=Status.ASSIGNED, reason=reason)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, at: datetime | None = None) -> AssignmentResult:
    """Give an unassigned open ticket to the best-scoring eligible human agent with room.

    With nobody free the ticket waits (`waiting`; an `assigned` ticket goes back to `open`) for
    `ticket_assign_waiting`; the journey marks it escalated (sla.escalation.ticket_wait_escalate)."""
    at = at or timezone.now()
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.assigned_agent_id is not None or locked.status not in OPEN_STATUSES:
        _sync(ticket, locked)
        return AssignmentResult(agent=locked.assigned_agent)
    ranked = rank_agents(
        agents=eligible_agents(ticket=locked, at=at),
        queue_id=locked.queue_id,
        category_id=locked.category_id,
    )
    claimed = _claim(ranked)
    if claimed is None:
        if locked.status == Status.ASSIGNED:
            locked, _ = ticket_system_move(ticket=locked, status=Status.OPEN, reason=NOBODY_FREE)
        _sync(ticket, locked)
        return AssignmentResult(agent=None, waiting=True)
    agent, score = claimed
    runner_up = next((s for s in ranked if s.agent_id != agent.pk), None)
    data = {
        "agent_id": agent.pk,
        "score": score.as_data(),
        "runner_up": runner_up.as_data() if runner_up else None,
        "candidates": len(ranked),
        "queue_id": locked.queue_id,
        "category_id": locked.category_id,
    }
    reason = f"best score {score.score:.3f} of {len(ranked)} eligible agent(s)"
    locked = ticket_assign_agent(ticket=locked, agent=agent, reason=reason, data=data)
    _publish_assigned(locked, agent)
    _sync(ticket, locked)
    return AssignmentResult(agent=agent, score=score, runner_up=runner_up)


def waiting_tickets() -> QuerySet[Ticket]:
    """Unassigned tickets waiting for a person, most urgent first, then oldest first."""
    urgency = Case(
        *[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        Ticket.objects.filter(assigned_agent__isnull=True, status__in=WAITING_STATUSES)
        .annotate(urgency=urgency)
        .order_by("-urgency", "created_at")
    )


def ticket_assign_waiting(*, limit: int = 500, at: datetime | None = None) -> int:
    """The sweep: assign waiting tickets while anyone has room. Each ticket is its own
    transaction, so agent locks are held only for one assignment. Returns how many were assigned."""
    agent_load_refresh()  # heal any drift (e.g. rows changed outside these services)
    if not _anyone_has_room():
        return 0  # everyone is full or away: nothing to try
    assigned = 0
    for ticket in list(waiting_tickets()[:limit]):
        if ticket_assign(ticket=ticket, at=at).agent is not None:
            assigned += 1
            # A resolution frees one slot and triggers this sweep: once the room is used up,
            # trying the rest of the waiting tickets could only fail, one ranking each.
            if not _anyone_has_room():
                break
    return assigned


def _anyone_has_room() -> bool:
    room = Q(load__isnull=True) | Q(load__open_tickets__lt=F("max_tickets"))
    return Agent.objects.filter(room, kind=AgentKind.HUMAN, is_available=True).exists()


def ai_agent_for_queue(queue_id: int) -> Agent | None:
    return (
        Agent.objects.filter(kind=AgentKind.AI, is_available=True)
        .filter(Q(all_queues=True) | Q(queues=queue_id))
        .select_related("user")
        .order_by("pk")
        .first()
    )


def ticket_intake_assign(*, ticket: Ticket) -> AssignmentResult:
    """The assignment step of intake. Queues with the AI agent enabled hand the ticket to it first
    (the journey layer queues its run after commit); every other ticket goes to a person and gets
    a suggested reply drafted after commit, so intake itself stays fast.

    Moves between open statuses (open, assigned, escalated) have no follow-ups in the apps above
    (capacity, SLA clocks and ratings react to leaving or re-entering them), so assignment makes
    them with `tickets.services.ticket_system_move` directly."""
    queue = ticket.queue
    if queue is not None and queue.ai_resolution_enabled:
        ai_agent = ai_agent_for_queue(queue.pk)
        if ai_agent is not None:
            with transaction.atomic():
                locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
                locked = ticket_assign_agent(
                    ticket=locked,
                    agent=ai_agent,
                    reason="AI resolution enabled for the queue",
                    data={"agent_id": ai_agent.pk, "ai": True, "queue_id": queue.pk},
                )
                _publish_assigned(locked, ai_agent)
                _sync(ticket, locked)
            return AssignmentResult(agent=ai_agent)
    result = ticket_assign(ticket=ticket)
    enqueue_on_commit("agents.tasks.suggest_reply", str(ticket.pk))
    return result
