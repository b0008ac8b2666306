"""One drafter for the AI resolution agent and for agents' suggested replies.

It composes only from text meant for reuse: the saved replies of the ticket's queue (and the
global ones), filled in for this customer. Without Claude the best-matching saved reply is the
draft, its similarity the confidence. With Claude, the model gets the same saved replies, the
ticket and this customer's own history, and its answer is refused when it carries personal
details found in none of those (they could be another customer's). Similar solved tickets are
shown to the agent as links (`matches`: id, subject, similarity), never pasted into a reply."""

from dataclasses import dataclass, field, replace

from tickets.models import Ticket

from .calibration import reply_confidence
from .context import ticket_context_load
from .llm import llm_configured, llm_draft
from .privacy import foreign_details
from .replies import best_replies
from .similar import similar_solved


@dataclass
class Draft:
    text: str
    confidence: float
    source: str  # saved_reply | llm | none
    context: dict
    matched_ticket: str | None = None
    matches: list[dict] = field(default_factory=list)  # similar solved tickets, as links
    sources: list[dict] = field(default_factory=list)  # the saved replies offered or used
    refused: list[str] = field(default_factory=list)  # foreign details that stopped a draft
    stated_confidence: float = 0.0  # before calibration (what `confidence` was mapped from)


def ticket_draft_reply(*, ticket: Ticket, agent_name: str = "") -> Draft:
    context = ticket_context_load(ticket=ticket)
    similar = similar_solved(ticket=ticket)
    links = [
        {"ticket_id": m.ticket_id, "subject": m.subject, "similarity": round(m.similarity, 3)}
        for m in similar
    ]
    replies = best_replies(ticket=ticket, agent_name=agent_name)
    sources = [
        {"saved_reply_id": r.reply.pk, "name": r.reply.name, "similarity": round(r.similarity, 3)}
        for r in replies
    ]
    nothing = Draft(
        text="",
        confidence=0.0,
        source="none",
        context=context,
        matched_ticket=similar[0].ticket_id if similar else None,
        matches=links,
        sources=sources,
    )
    if llm_configured():
        drafted = llm_draft(
            context=context,
            saved_replies=[{"name": r.reply.name, "text": r.text} for r in replies],
        )
        if drafted is not None:
            text, confidence = drafted
            foreign = foreign_details(text, allowed=_allowed_texts(ticket, context, replies))
            if foreign:
                return replace(nothing, source="llm", refused=foreign)
            return replace(
                nothing,
                text=text,
                confidence=reply_confidence(confidence),
                stated_confidence=confidence,
                source="llm",
            )
    if not replies:
        return nothing
    best = replies[0]
    sources[0]["used"] = True
    stated = round(best.similarity, 4)
    return replace(
        nothing,
        text=best.text,
        confidence=reply_confidence(stated),
        stated_confidence=stated,
        source="saved_reply",
    )


def _allowed_texts(ticket: Ticket, context: dict, replies: list) -> list[str]:
    """What a draft for this ticket may quote: the ticket and its conversation, this customer's
    own earlier tickets, the saved replies offered, the customer's own address."""
    conversation = list(ticket.comments.values_list("body", flat=True))
    own = [
        f"{row['subject']}\n{row.get('resolution') or ''}"
        for row in context.get("previous_tickets", [])
    ]
    return [
        ticket.subject,
        ticket.body,
        ticket.customer_email,
        str(ticket.context or ""),
        *conversation,
        *own,
        *(reply.text for reply in replies),
    ]
