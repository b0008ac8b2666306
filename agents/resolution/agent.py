"""The AI resolution agent's own decisions and writes: which action a draft earns by the
queue's thresholds, the attempt log, and handing a ticket to a person (the reply itself reaches
the customer as every public reply does, journey.services.comment_add).
The run itself (reply, resolve or hand over, with their follow-ups) is `journey.resolution`.

    confidence >= queue.ai_auto_resolve_threshold (0.85): reply publicly as the AI agent and
        resolve.
    confidence >= queue.ai_review_threshold (0.60): reply, tag `ai-review`, and hand the ticket
        to a human to review.
    below: send nothing; store the draft as the suggested reply and hand the ticket to a human.
Every run is an `AIResolutionAttempt` with the context snapshot, draft, score and action."""

from django.db.models import F

from tickets import events
from tickets.models import Status, Ticket

from ..models import AgentKind, AIAction, AIResolutionAttempt, SavedReply
from ..services.assignment import AssignmentResult, ticket_assign
from ..workload import agent_load_refresh
from .drafting import Draft, ticket_draft_reply

REVIEW_TAG = "ai-review"


def ai_action_decide(draft: Draft, ticket: Ticket) -> str:
    queue = ticket.queue
    if queue is None:
        return AIAction.HANDOFF
    if draft.text and draft.confidence >= queue.ai_auto_resolve_threshold:
        return AIAction.RESOLVED
    if draft.text and draft.confidence >= queue.ai_review_threshold:
        return AIAction.REVIEW
    return AIAction.HANDOFF


def ticket_still_with_ai(ticket: Ticket) -> bool:
    return (
        ticket.queue_id is not None
        and ticket.assigned_agent is not None
        and ticket.assigned_agent.kind == AgentKind.AI
        and ticket.status in (Status.OPEN, Status.ASSIGNED)
        and not ticket.ai_attempts.exclude(action=AIAction.SUGGESTION).exists()
    )


def ai_attempt_record(*, ticket: Ticket, draft: Draft, action: str) -> AIResolutionAttempt:
    """The attempt, whole: context snapshot, saved replies offered, similar tickets (links),
    details that stopped a draft, the draft, its score and the action. A saved reply sent to
    the customer counts as used."""
    if action in (AIAction.RESOLVED, AIAction.REVIEW):
        used = [s["saved_reply_id"] for s in draft.sources if s.get("used")]
        SavedReply.objects.filter(pk__in=used).update(usage_count=F("usage_count") + 1)
    return AIResolutionAttempt.objects.create(
        ticket=ticket,
        agent=ticket.assigned_agent if action != AIAction.SUGGESTION else None,
        source=draft.source,
        context={
            **draft.context,
            "similar": draft.matches,
            "sources": draft.sources,
            "refused": draft.refused,
            "stated_confidence": draft.stated_confidence,
        },
        draft=draft.text,
        confidence=draft.confidence,
        action=action,
        matched_ticket=draft.matched_ticket,
    )


def ticket_ai_hand_to_human(*, ticket: Ticket, reason: str) -> AssignmentResult:
    """The AI agent lets go of a locked ticket (its `suggested_reply` as the caller left it is
    saved too) and a person is assigned."""
    ai_agent = ticket.assigned_agent
    if ai_agent is None:
        raise ValueError(f"ticket {ticket.pk} is not with the AI agent")
    ticket.assigned_agent = None
    ticket.save(update_fields=["assigned_agent", "suggested_reply", "updated_at"])
    agent_load_refresh(agent_ids=[ai_agent.pk])
    events.ticket_unassigned_event(
        ticket=ticket,
        actor=None,
        before=ai_agent.name,
        reason=reason,
        data={"ai": True},
    )
    return ticket_assign(ticket=ticket)


def ticket_suggest_reply(*, ticket_id) -> bool:
    """Draft the suggested reply for a human-handled ticket (kept if an agent already has one)."""
    ticket = (
        Ticket.objects.select_related("queue", "category", "assigned_agent__user")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.suggested_reply or not ticket.is_open:
        return False
    agent = ticket.assigned_agent
    draft = ticket_draft_reply(ticket=ticket, agent_name=agent.name if agent else "")
    if not draft.text:
        return False
    updated = Ticket.objects.filter(pk=ticket_id, suggested_reply="").update(
        suggested_reply=draft.text
    )
    if updated:
        ai_attempt_record(ticket=ticket, draft=draft, action=AIAction.SUGGESTION)
    return bool(updated)
