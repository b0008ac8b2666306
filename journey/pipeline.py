"""The steps a ticket goes through, and what each kind of change means for the apps below.

The journey's services call these after the plain write of `tickets`: intake runs routing,
assignment and the SLA clock in that order; a status change frees capacity, moves the SLA clocks
and asks for a rating; a first response is measured against its deadline."""

from agents import services as assignment
from agents.models import AgentKind
from agents.services import AssignmentResult, notifications
from agents.services.assignment import NOBODY_FREE
from core.jobs import enqueue_on_commit
from routing import services as routing
from sla import escalation
from sla import services as sla
from tickets.csat import csat_links
from tickets.models import Status, Ticket


def ticket_intake(*, ticket: Ticket, explicit_priority: bool = False) -> None:
    """A new ticket: route it, assign it, start its SLA clocks (in that order). A ticket given
    to the AI agent is answered by a task after commit."""
    routing.ticket_route(ticket=ticket, explicit_priority=explicit_priority)
    result = assignment.ticket_intake_assign(ticket=ticket)
    assignment_followed(ticket=ticket, result=result)
    sla.sla_clock_start(ticket=ticket)
    if result.agent is not None and result.agent.kind == AgentKind.AI:
        enqueue_on_commit("journey.tasks.ai_resolution_run", str(ticket.pk))


def ticket_assign(*, ticket: Ticket) -> AssignmentResult:
    """Assign the ticket now, or mark it as waiting for someone to be free."""
    result = assignment.ticket_assign(ticket=ticket)
    assignment_followed(ticket=ticket, result=result)
    return result


def assignment_followed(*, ticket: Ticket, result: AssignmentResult | None) -> None:
    """Nobody was free: the ticket is escalated (level 1) and managers are told, once."""
    if result is not None and result.waiting:
        escalation.ticket_wait_escalate(ticket=ticket, reason=NOBODY_FREE)


def status_changed(*, ticket: Ticket, before: str, after: str) -> None:
    """Capacity frees up, SLA clocks pause, resume or stop; a resolution asks for a rating."""
    if before == after:
        return
    assignment.ticket_capacity_freed(ticket=ticket, before=before, after=after)
    sla.sla_status_changed(ticket=ticket, before=before, after=after)
    if after == Status.RESOLVED:
        notifications.customer_resolution_notify(ticket=ticket, rating_links=csat_links(ticket))


def first_response(*, ticket: Ticket) -> None:
    """The first public reply by an agent was recorded on the ticket."""
    sla.sla_first_response_mark(ticket=ticket)
