"""The AI resolution agent: draft, score, then act by the queue's thresholds.

    confidence >= queue.ai_auto_resolve_threshold (0.85): reply publicly as the AI agent (the
        ticket's first response, sent to the customer's channel) and resolve.
    confidence >= queue.ai_review_threshold (0.60): reply, tag `ai-review`, and hand the ticket to a
        human to review.
    below: send nothing; store the draft as the suggested reply and hand the ticket to a human.
Every run is an `AIResolutionAttempt` with the context snapshot, draft, score and action."""

from django.db import transaction

from tickets import events
from tickets.models import Channel, Status, Ticket
from tickets.services import comment_create, ticket_system_transition

from ..models import AgentKind, AIAction, AIResolutionAttempt
from ..services.assignment import ticket_assign
from ..services.notifications import notification_enqueue
from ..workload import agent_load_refresh
from .drafting import Draft, ticket_draft_reply

REVIEW_TAG = "ai-review"


def _decide(draft: Draft, ticket: Ticket) -> str:
    queue = ticket.queue
    if draft.text and draft.confidence >= queue.ai_auto_resolve_threshold:
        return AIAction.RESOLVED
    if draft.text and draft.confidence >= queue.ai_review_threshold:
        return AIAction.REVIEW
    return AIAction.HANDOFF


# The reply goes back the way the ticket came in (the webhook hears about every reply).
CHANNEL_BACKENDS = {
    Channel.EMAIL: {"email", "webhook"},
    Channel.IN_APP: {"fcm", "apns", "webhook"},
}


def _reply(ticket: Ticket, draft: Draft) -> None:
    comment_create(ticket=ticket, user=ticket.assigned_agent.user, body=draft.text)
    notification_enqueue(
        event="ticket.reply",
        ticket=ticket,
        audience="customer",
        dedupe="ai-reply",
        title=f"Re: {ticket.subject}",
        body=draft.text,
        backends=CHANNEL_BACKENDS.get(ticket.channel),
    )


def _hand_to_human(ticket: Ticket, *, reason: str) -> None:
    ai_agent = ticket.assigned_agent
    ticket.assigned_agent = None
    ticket.save(update_fields=["assigned_agent", "suggested_reply", "tags", "updated_at"])
    agent_load_refresh(agent_ids=[ai_agent.pk])
    events.ticket_field_changed_event(
        ticket=ticket,
        actor=None,
        kind="unassigned",
        field="assigned_agent",
        before=ai_agent.name,
        after=None,
        reason=reason,
        data={"ai": True},
    )
    ticket_assign(ticket=ticket)


def ticket_ai_resolve(*, ticket_id) -> AIResolutionAttempt | None:
    """Run once per ticket handed to the AI agent; a retried task finds it handled and stops."""
    ticket = Ticket.objects.select_related("queue", "category", "assigned_agent__user").get(
        pk=ticket_id
    )
    if not _still_with_ai(ticket):
        return None
    draft = ticket_draft_reply(ticket=ticket)  # outside the transaction: it may call Claude
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("queue", "assigned_agent__user")
            .get(pk=ticket_id)
        )
        if not _still_with_ai(ticket):
            return None
        action = _decide(draft, ticket)
        attempt = AIResolutionAttempt.objects.create(
            ticket=ticket,
            agent=ticket.assigned_agent,
            source=draft.source,
            context={**draft.context, "similar": draft.matches},
            draft=draft.text,
            confidence=draft.confidence,
            action=action,
            matched_ticket=draft.matched_ticket,
        )
        summary = f"AI draft confidence {draft.confidence:.2f} ({draft.source})"
        data = {"attempt_id": attempt.pk, "confidence": draft.confidence, "action": action}
        if action == AIAction.RESOLVED:
            _reply(ticket, draft)
            events.ticket_system_event(ticket=ticket, kind="ai_resolved", reason=summary, data=data)
            ticket_system_transition(ticket=ticket, status=Status.RESOLVED, reason=summary)
        elif action == AIAction.REVIEW:
            _reply(ticket, draft)
            ticket.refresh_from_db(fields=["tags", "status", "first_response_at"])
            ticket.tags = (
                [*ticket.tags, REVIEW_TAG] if REVIEW_TAG not in ticket.tags else ticket.tags
            )
            events.ticket_system_event(
                ticket=ticket, kind="ai_review_requested", reason=summary, data=data
            )
            _hand_to_human(ticket, reason="AI reply sent; human review requested")
        else:
            ticket.suggested_reply = draft.text
            events.ticket_system_event(ticket=ticket, kind="ai_handoff", reason=summary, data=data)
            _hand_to_human(ticket, reason="AI confidence too low; handed to a human")
    return attempt


def _still_with_ai(ticket: Ticket) -> bool:
    return (
        ticket.queue_id is not None
        and ticket.assigned_agent_id is not None
        and ticket.assigned_agent.kind == AgentKind.AI
        and ticket.status in (Status.OPEN, Status.ASSIGNED)
        and not ticket.ai_attempts.exclude(action=AIAction.SUGGESTION).exists()
    )


def ticket_suggest_reply(*, ticket_id) -> bool:
    """Draft the suggested reply for a human-handled ticket (kept if an agent already has one)."""
    ticket = Ticket.objects.select_related("queue", "category").filter(pk=ticket_id).first()
    if ticket is None or ticket.suggested_reply or not ticket.is_open:
        return False
    draft = ticket_draft_reply(ticket=ticket)
    if not draft.text:
        return False
    updated = Ticket.objects.filter(pk=ticket_id, suggested_reply="").update(
        suggested_reply=draft.text
    )
    if updated:
        AIResolutionAttempt.objects.create(
            ticket=ticket,
            source=draft.source,
            context={**draft.context, "similar": draft.matches},
            draft=draft.text,
            confidence=draft.confidence,
            action=AIAction.SUGGESTION,
            matched_ticket=draft.matched_ticket,
        )
    return bool(updated)
