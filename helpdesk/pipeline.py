"""The intake pipeline and the cross-app follow-ups of ticket changes, in one explicit place.

`tickets.services` calls these at each step (importing this module late, so tickets stays at the
bottom of the floor plan); this module calls routing, assignment and SLA in order. Apps are
imported as modules so each step is looked up when it runs."""

from agents import services as assignment
from agents.services import notifications
from reports import services as reports
from routing import services as routing
from sla import services as sla
from tickets.models import Status, Ticket


def ticket_intake(*, ticket: Ticket, explicit_priority: bool = False) -> None:
    """A new ticket: route it, assign it, start its SLA clocks (in that order)."""
    routing.ticket_route(ticket=ticket, explicit_priority=explicit_priority)
    assignment.ticket_intake_assign(ticket=ticket)
    sla.sla_clock_start(ticket=ticket)


def ticket_status_changed(*, ticket: Ticket, before: str, after: str) -> None:
    """Capacity frees up, SLA clocks pause, resume or stop; a resolution asks for a rating."""
    assignment.ticket_capacity_freed(ticket=ticket, before=before, after=after)
    sla.sla_status_changed(ticket=ticket, before=before, after=after)
    if after == Status.RESOLVED:
        notifications.customer_resolution_notify(
            ticket=ticket, rating_links=reports.csat_links(ticket)
        )


def ticket_first_response(*, ticket: Ticket) -> None:
    """The first public reply by an agent was recorded on the ticket."""
    sla.sla_first_response_mark(ticket=ticket)


def ticket_queue_changed(*, ticket: Ticket, before: str | None, actor, reason: str) -> None:
    """A reassignment moved the ticket to another queue: its SLA deadlines follow the new queue's
    policy and calendar (routing learns from the `reassigned` event tickets.services wrote)."""
    sla.sla_deadlines_recompute(ticket=ticket, reason=f"queue {ticket.queue.slug}")


def ticket_assign_to(*, ticket: Ticket, agent, actor, reason: str) -> None:
    """A person chose the agent (capacity, queue membership, ranking feedback, customer push)."""
    assignment.ticket_assign_to(ticket=ticket, agent=agent, actor=actor, reason=reason)


def ticket_assign_after_queue_change(*, ticket: Ticket, actor, reason: str) -> None:
    """The ticket changed queue while assigned; the assignee may no longer fit."""
    assignment.ticket_assign_after_queue_change(ticket=ticket, actor=actor, reason=reason)


def ticket_corrected(*, ticket: Ticket, changes: dict, actor) -> None:
    """An agent corrected category, priority or queue (routing learns from the `corrected`
    events; the SLA deadlines follow a new priority or queue)."""
    if "priority" in changes or "queue" in changes:
        changed = [
            f"{field} {changes[field][1]}" for field in ("priority", "queue") if field in changes
        ]
        sla.sla_deadlines_recompute(ticket=ticket, reason=", ".join(changed))
