"""Reassignment by a person, and what a queue change or a freed slot means for assignment.

Policy (docs/ASSIGNMENT.md): an agent may hand a ticket only to someone in the ticket's queue who
has room; a manager may go over the target's capacity (the event records the override). Working
hours and availability are not checked here: a person chose, knowingly. A reassignment away from
an agent is a `reassigned` event carrying `from_agent_id`, which the ranking counts against that
agent for the queue/category."""

from django.contrib.auth.models import User
from django.db import transaction

from core.exceptions import ApplicationError, TransitionError
from core.jobs import enqueue_on_commit
from core.roles import user_role
from tickets import events
from tickets.models import OPEN_STATUSES, Status, Ticket
from tickets.services import ticket_system_move

from ..eligibility import ticket_required_skill_id
from ..models import Agent
from ..ranking import history_forget
from ..workload import agent_load_refresh, open_ticket_count
from .assignment import AssignmentResult, _sync, ticket_assign, ticket_assign_agent
from .notifications import notification_enqueue


def _in_queue(agent: Agent, queue_id: int | None) -> bool:
    return queue_id is None or agent.all_queues or agent.queues.filter(pk=queue_id).exists()


def _fits(agent: Agent, ticket: Ticket) -> bool:
    skill_id = ticket_required_skill_id(ticket)
    has_skill = skill_id is None or agent.skills.filter(pk=skill_id).exists()
    return _in_queue(agent, ticket.queue_id) and has_skill


def _forget_history(ticket: Ticket) -> None:
    history_forget(queue_id=ticket.queue_id, category_id=ticket.category_id)
    history_forget(queue_id=ticket.queue_id, category_id=None)


@transaction.atomic
def ticket_assign_to(*, ticket: Ticket, agent: Agent, actor: User, reason: str) -> Ticket:
    """A person gives the ticket to `agent` (called by `journey.changes.ticket_reassign`, which
    publishes `ticket.reassigned`). The customer's phone is told through the push backends."""
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assigned_agent__user")
        .get(pk=ticket.pk)
    )
    if locked.assigned_agent_id == agent.pk:
        return locked
    if not _in_queue(agent, locked.queue_id):
        raise ApplicationError(
            f"{agent.name} is not a member of this ticket's queue.",
            fields={"agent": ["Not a member of the ticket's queue."]},
        )
    target = Agent.objects.select_for_update(of=("self",)).select_related("user").get(pk=agent.pk)
    is_manager = user_role(actor) == "manager"
    load = open_ticket_count(target.pk)
    over = load >= target.max_tickets
    if over and not is_manager:
        raise TransitionError(
            f"{target.name} already has {load} open tickets (limit {target.max_tickets}).",
            fields={"agent": ["At capacity; a manager can override."]},
        )
    previous = locked.assigned_agent
    data = {
        "from_agent_id": previous.pk if previous else None,
        "to_agent_id": target.pk,
        "queue_id": locked.queue_id,
        "category_id": locked.category_id,
        "capacity_override": over,
        "by_role": user_role(actor),
    }
    locked = ticket_assign_agent(
        ticket=locked, agent=target, actor=actor, reason=reason, data=data, by_person=True
    )
    _forget_history(locked)
    notification_enqueue(
        event="ticket.reassigned",
        ticket=locked,
        audience="customer",
        dedupe=f"to:{target.pk}:{locked.updated_at.timestamp()}",
        title="Your ticket has a new agent",
        body=f"{target.name} is now looking after \u201c{locked.subject}\u201d.",
    )
    _sync(ticket, locked)
    ticket.assigned_agent = target
    return ticket


@transaction.atomic
def ticket_assign_after_queue_change(
    *, ticket: Ticket, actor: User, reason: str
) -> AssignmentResult | None:
    """After a queue change the assignee keeps the ticket if they belong to the new queue and have
    its skill; otherwise it is unassigned (not counted against them) and assigned afresh."""
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assigned_agent__user")
        .get(pk=ticket.pk)
    )
    current = locked.assigned_agent
    if current is None or _fits(current, locked):
        return None
    locked.assigned_agent = None
    locked.save(update_fields=["assigned_agent", "updated_at"])
    agent_load_refresh(agent_ids=[current.pk])
    events.ticket_unassigned_event(
        ticket=locked,
        actor=actor,
        before=current.name,
        reason=f"queue changed: {reason}",
        data={"from_agent_id": current.pk, "queue_id": locked.queue_id},
    )
    if locked.status == Status.ASSIGNED:
        ticket_system_move(ticket=locked, status=Status.OPEN, reason="queue changed")
    return ticket_assign(ticket=ticket)


def ticket_capacity_freed(*, ticket: Ticket, before: str, after: str) -> None:
    """A ticket entered or left the open statuses: re-count its agent's load, and when a slot
    freed up run the sweep after commit rather than waiting up to a minute for beat."""
    was_open, is_open = before in OPEN_STATUSES, after in OPEN_STATUSES
    if not ticket.assigned_agent_id or was_open == is_open:
        return
    agent_load_refresh(agent_ids=[ticket.assigned_agent_id])
    if was_open:
        enqueue_on_commit("agents.tasks.assign_waiting_tickets")
