"""Telling an agent about their own tickets: a ticket assigned to them, a customer's reply to a
ticket of theirs. By mail, and by push on the agent's registered devices; never to the AI agent,
never when the agent turned that kind off (`Agent.notify_on_*`), never about what they did
themselves. The text names the ticket and links to its workspace page; it never carries an
internal note. Rows go through the outbox (sent after commit, once per event by their keys)."""

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from tickets.models import Comment, Ticket, TicketEvent

from ..models import Agent, AgentKind, Notification
from .notifications import notification_enqueue

AGENT_BACKENDS = {"email", "fcm", "apns"}  # not the integration's webhook: this is for a person
EXCERPT_CHARS = 1000


def workspace_ticket_link(*, ticket: Ticket) -> str:
    """The ticket's page in the agent workspace; absolute when HELPDESK_PUBLIC_URL is set."""
    path = reverse("workspace:ticket", args=[ticket.pk])
    return f"{settings.HELPDESK_PUBLIC_URL.rstrip('/')}{path}"


def _wants(agent: Agent | None, preference: str) -> bool:
    return agent is not None and agent.kind != AgentKind.AI and getattr(agent, preference)


def _send(*, ticket: Ticket, event: str, dedupe: str, title: str, lines: list[str]) -> list:
    link = workspace_ticket_link(ticket=ticket)
    return notification_enqueue(
        event=event,
        ticket=ticket,
        audience="agent",
        dedupe=dedupe,
        title=title,
        body="\n".join([*lines, "", f"Open the ticket: {link}"]),
        data={"ticket_ref": ticket.ref, "url": link},
        backends=AGENT_BACKENDS,
    )


def agent_assignment_notify(
    *, ticket: Ticket, agent: Agent, event: TicketEvent, actor: User | None = None
) -> list[Notification]:
    """`agent` was just given `ticket` (its `assigned`/`reassigned` row is `event`): once per
    assignment. Not when the agent took it themselves."""
    if not _wants(agent, "notify_on_assignment") or ticket.assigned_agent_id != agent.pk:
        return []
    if actor is not None and actor.pk == agent.user_id:
        return []
    who = f" by {actor.get_full_name() or actor.username}" if actor is not None else ""
    lines = [f"Ticket #{ticket.ref} “{ticket.subject}” was assigned to you{who}."]
    if event.reason and actor is not None:  # a person's reason; the automatic one is a score
        lines.append(f"Reason: {event.reason}")
    return _send(
        ticket=ticket,
        event="agent.assigned",
        dedupe=f"event-{event.pk}",
        title=f"Assigned to you: #{ticket.ref} {ticket.subject}",
        lines=lines,
    )


def agent_customer_reply_notify(*, ticket: Ticket, comment: Comment) -> list[Notification]:
    """The customer replied (in the app, on the web or by mail) to a ticket assigned to an agent:
    the agent is told once per reply, with the reply's text (the customer's own public words)."""
    agent = ticket.assigned_agent
    if comment.internal or not _wants(agent, "notify_on_customer_reply"):
        return []
    text = comment.body
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS].rstrip() + "…"
    return _send(
        ticket=ticket,
        event="agent.customer_reply",
        dedupe=f"comment-{comment.pk}",
        title=f"Customer replied: #{ticket.ref} {ticket.subject}",
        lines=[f"The customer replied on ticket #{ticket.ref} “{ticket.subject}”:", "", text],
    )


def agent_preferences_update(
    *, agent: Agent, notify_on_assignment: bool, notify_on_customer_reply: bool
) -> Agent:
    """An agent's choice of what they are told about."""
    agent.notify_on_assignment = notify_on_assignment
    agent.notify_on_customer_reply = notify_on_customer_reply
    agent.save(update_fields=["notify_on_assignment", "notify_on_customer_reply"])
    return agent
