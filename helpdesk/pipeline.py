"""The intake pipeline and the cross-app follow-ups of ticket changes, in one explicit place.

`tickets.services` calls these at each step; this module calls routing, assignment and SLA in
order. Nothing below it imports it at module level, so the apps keep a floor plan with no cycles."""

from tickets.models import Ticket


def ticket_intake(*, ticket: Ticket, explicit_priority: bool = False) -> None:
    """A new ticket: route it, assign it, start its SLA clocks (in that order)."""


def ticket_status_changed(*, ticket: Ticket, before: str, after: str) -> None:
    """SLA pauses and resumes, capacity frees up, and so on."""


def ticket_first_response(*, ticket: Ticket) -> None:
    """The first public reply by an agent was recorded on the ticket."""


def ticket_queue_changed(*, ticket: Ticket, before: str | None, actor, reason: str) -> None:
    """A reassignment moved the ticket to another queue (routing feedback)."""


def ticket_assign_to(*, ticket: Ticket, agent, actor, reason: str) -> None:
    """A person chose the agent."""
    from tickets import events

    before = ticket.assigned_agent.name if ticket.assigned_agent else None
    ticket.assigned_agent = agent
    ticket.save(update_fields=["assigned_agent", "updated_at"])
    events.ticket_field_changed_event(
        ticket=ticket, actor=actor, kind="reassigned", field="assigned_agent",
        before=before, after=agent.name, reason=reason,
    )


def ticket_assign_after_queue_change(*, ticket: Ticket, actor, reason: str) -> None:
    """The ticket changed queue while assigned; the assignee may no longer fit."""


def ticket_corrected(*, ticket: Ticket, changes: dict, actor) -> None:
    """An agent corrected category, priority or queue (routing feedback, SLA recompute)."""
