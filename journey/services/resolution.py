"""The AI resolution agent's run on a ticket handed to it: draft, score, then reply and resolve,
reply and ask a person to review, or hand over (agents/resolution/agent.py decides which)."""

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from agents.models import AgentKind, AIAction, AIResolutionAttempt
from agents.resolution.agent import (
    REVIEW_TAG,
    ai_action_decide,
    ai_attempt_record,
    ticket_ai_hand_to_human,
    ticket_still_with_ai,
)
from agents.resolution.drafting import ticket_draft_reply
from routing.corrections import ticket_tags_add
from tickets import events
from tickets.models import Status, Ticket

from .. import pipeline
from .conversation import comment_add
from .status import ticket_system_transition


def ticket_ai_resolve(*, ticket_id: uuid.UUID | str) -> AIResolutionAttempt | None:
    """Run once per ticket handed to the AI agent; a retried task finds it handled and stops."""
    ticket = Ticket.objects.select_related("queue", "category", "assigned_agent__user").get(
        pk=ticket_id
    )
    if not ticket_still_with_ai(ticket):
        return None
    # outside the transaction: it may call Claude
    ai = ticket.assigned_agent
    draft = ticket_draft_reply(ticket=ticket, agent_name=ai.name if ai else "")
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("queue", "assigned_agent__user")
            .get(pk=ticket_id)
        )
        if not ticket_still_with_ai(ticket):
            return None
        ai_agent = ticket.assigned_agent
        assert ai_agent is not None  # ticket_still_with_ai
        action = ai_action_decide(draft, ticket)
        attempt = ai_attempt_record(ticket=ticket, draft=draft, action=action)
        summary = f"AI draft confidence {draft.confidence:.2f} ({draft.source})"
        data = {"attempt_id": attempt.pk, "confidence": draft.confidence, "action": action}
        if action == AIAction.RESOLVED:
            comment_add(ticket=ticket, user=ai_agent.user, body=draft.text)  # sent by comment_add
            events.ticket_ai_resolved_event(ticket=ticket, reason=summary, data=data)
            ticket_system_transition(ticket=ticket, status=Status.RESOLVED, reason=summary)
        elif action == AIAction.REVIEW:
            comment_add(ticket=ticket, user=ai_agent.user, body=draft.text)
            ticket.refresh_from_db(fields=["tags", "status", "first_response_at"])
            ticket_tags_add(ticket=ticket, tags=[REVIEW_TAG])
            events.ticket_ai_review_requested_event(ticket=ticket, reason=summary, data=data)
            handed = ticket_ai_hand_to_human(
                ticket=ticket, reason="AI reply sent; human review requested"
            )
            pipeline.assignment_followed(ticket=ticket, result=handed)
        else:
            ticket.suggested_reply = draft.text
            events.ticket_ai_handoff_event(ticket=ticket, reason=summary, data=data)
            ticket_ai_hand_to_human(
                ticket=ticket, reason="AI confidence too low; handed to a human"
            )
    return attempt


LOST_AFTER = timedelta(minutes=10)


def ai_lost_tickets_return(*, now: datetime | None = None, limit: int = 500) -> int:
    """Tickets handed to the AI agent whose run never happened (a lost task, a dead worker) go
    to a person after LOST_AFTER; beat runs this every few minutes. Returns how many."""
    cutoff = (now or timezone.now()) - LOST_AFTER
    waiting = (
        Ticket.objects.filter(
            assigned_agent__kind=AgentKind.AI,
            status__in=(Status.OPEN, Status.ASSIGNED),
            updated_at__lt=cutoff,
        )
        .exclude(ai_attempts__action__in=(AIAction.RESOLVED, AIAction.REVIEW, AIAction.HANDOFF))
        .values_list("pk", flat=True)[:limit]
    )
    returned = 0
    for ticket_id in list(waiting):
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("assigned_agent__user")
                .get(pk=ticket_id)
            )
            if not ticket_still_with_ai(ticket) or ticket.updated_at >= cutoff:
                continue  # its run came after all
            handed = ticket_ai_hand_to_human(
                ticket=ticket, reason="the AI agent's run never came; handed to a person"
            )
            pipeline.assignment_followed(ticket=ticket, result=handed)
            returned += 1
    return returned
