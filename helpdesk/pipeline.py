"""The intake pipeline and the cross-app follow-ups of ticket changes, in one explicit place.

`tickets.services` calls these at each step; this module calls routing, assignment and SLA in
order. Nothing below it imports it at module level, so the apps keep a floor plan with no cycles."""

from tickets.models import Ticket


def ticket_intake(*, ticket: Ticket, explicit_priority: bool = False) -> None:
    """A new ticket: route it, assign it, start its SLA clocks (in that order)."""
    from routing.services import ticket_route

    ticket_route(ticket=ticket, explicit_priority=explicit_priority)
    from agents.services import ticket_intake_assign

    ticket_intake_assign(ticket=ticket)
    from sla.services import sla_clock_start

    sla_clock_start(ticket=ticket)


def ticket_status_changed(*, ticket: Ticket, before: str, after: str) -> None:
    """SLA pauses and resumes, capacity frees up, and so on."""
    from agents.services import ticket_capacity_freed

    ticket_capacity_freed(ticket=ticket, before=before, after=after)
    from sla.services import sla_status_changed

    sla_status_changed(ticket=ticket, before=before, after=after)
    if after == "resolved":
        from agents.services.notifications import customer_resolution_notify
        from reports.services import csat_links

        customer_resolution_notify(ticket=ticket, rating_links=csat_links(ticket))


def ticket_first_response(*, ticket: Ticket) -> None:
    """The first public reply by an agent was recorded on the ticket."""
    from sla.services import sla_first_response_mark

    sla_first_response_mark(ticket=ticket)


def ticket_queue_changed(*, ticket: Ticket, before: str | None, actor, reason: str) -> None:
    """A reassignment moved the ticket to another queue (routing feedback)."""


def ticket_assign_to(*, ticket: Ticket, agent, actor, reason: str) -> None:
    """A person chose the agent (capacity, queue membership, ranking feedback, customer push)."""
    from agents.services import ticket_assign_to as assign_to

    assign_to(ticket=ticket, agent=agent, actor=actor, reason=reason)


def ticket_assign_after_queue_change(*, ticket: Ticket, actor, reason: str) -> None:
    """The ticket changed queue while assigned; the assignee may no longer fit."""
    from agents.services import ticket_assign_after_queue_change as reassign_for_queue

    reassign_for_queue(ticket=ticket, actor=actor, reason=reason)


def ticket_corrected(*, ticket: Ticket, changes: dict, actor) -> None:
    """An agent corrected category, priority or queue (routing feedback, SLA recompute)."""
    if "priority" in changes or "queue" in changes:
        from sla.services import sla_deadlines_recompute

        sla_deadlines_recompute(ticket=ticket)
