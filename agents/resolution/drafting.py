"""One drafter for the AI resolution agent and for agents' suggested replies."""

from dataclasses import dataclass, field

from tickets.models import Ticket

from .context import ticket_context_load
from .llm import llm_configured, llm_draft
from .similar import similar_solved


@dataclass
class Draft:
    text: str
    confidence: float
    source: str
    context: dict
    matched_ticket: str | None = None
    matches: list[dict] = field(default_factory=list)


def ticket_draft_reply(*, ticket: Ticket) -> Draft:
    """Claude when configured (given the context and the closest solved tickets); otherwise the
    resolution of the most similar solved ticket, its similarity as the confidence."""
    context = ticket_context_load(ticket=ticket)
    matches = similar_solved(ticket=ticket)
    examples = [
        {"subject": m.subject, "resolution": m.reply, "similarity": round(m.similarity, 3)}
        for m in matches
    ]
    best = matches[0] if matches else None
    if llm_configured():
        drafted = llm_draft(context=context, examples=examples)
        if drafted is not None:
            return Draft(
                text=drafted[0],
                confidence=drafted[1],
                source="llm",
                context=context,
                matched_ticket=best.ticket_id if best else None,
                matches=examples,
            )
    if best is None:
        return Draft(text="", confidence=0.0, source="none", context=context)
    return Draft(
        text=best.reply,
        confidence=round(best.similarity, 4),
        source="similar_tickets",
        context=context,
        matched_ticket=best.ticket_id,
        matches=examples,
    )
