"""The texts the AI agent may send: saved replies meant for reuse, filled in for this customer.

A ticket is matched against each usable reply's name and the example questions of its
`match_text`, one per line (TF-IDF cosine over word 1-2-grams); the closest example's similarity
is the draft's confidence. Nothing here reads another ticket."""

import re
from dataclasses import dataclass

from django.db.models import Q
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from tickets.access import ticket_status_link
from tickets.models import Ticket

from ..models import SavedReply

PLACEHOLDERS = ("customer_name", "ticket_ref", "agent_name", "status_link")
PLACEHOLDER = re.compile(r"\{\{\s*(" + "|".join(PLACEHOLDERS) + r")\s*\}\}")
ANY_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


@dataclass(frozen=True)
class ReplyMatch:
    reply: SavedReply
    text: str  # the body filled in for the ticket
    similarity: float


def saved_replies_for(*, ticket: Ticket) -> list[SavedReply]:
    """The active replies the AI agent may use on this ticket: its queue's and the global ones,
    in its language or any; personal replies never."""
    rows = SavedReply.objects.filter(is_active=True, ai_usable=True, owner__isnull=True).filter(
        Q(queue__isnull=True) | Q(queue_id=ticket.queue_id)
    )
    if ticket.language:
        rows = rows.filter(Q(language="") | Q(language=ticket.language))
    return list(rows.order_by("pk"))


def reply_fill(*, body: str, ticket: Ticket, agent_name: str = "") -> str:
    """The body with its placeholders filled in for `ticket`: plain text in one pass, so a value
    (a customer's name) is never read as a placeholder itself; nothing is evaluated, and
    anything else in braces stays as written."""
    customer = ticket.customer
    name = (customer.get_full_name() if customer else "") or ""
    values = {
        "customer_name": name or "there",
        "ticket_ref": ticket.ref,
        "agent_name": agent_name or "the support team",
        "status_link": ticket_status_link(ticket_id=ticket.pk),
    }
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], body)


def placeholders_unknown(body: str) -> list[str]:
    """The `{{ name }}` spellings in `body` that are not placeholders (a typo sent as is)."""
    return [
        match.group(0)
        for match in ANY_PLACEHOLDER.finditer(body)
        if match.group(1) not in PLACEHOLDERS
    ]


def best_replies(*, ticket: Ticket, top: int = 3, agent_name: str = "") -> list[ReplyMatch]:
    """The saved replies closest to the ticket's text, best first (similarity > 0). A reply's
    similarity is that of its closest example: its name, or a line of its `match_text`."""
    replies = saved_replies_for(ticket=ticket)
    if not replies:
        return []
    owners, docs = [], []
    for index, reply in enumerate(replies):
        for example in [reply.name, *reply.match_text.splitlines()]:
            if example.strip():
                owners.append(index)
                docs.append(example)
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    try:
        matrix = vectorizer.fit_transform([*docs, f"{ticket.subject}\n{ticket.body}"])
    except ValueError:  # nothing but stop words / empty text
        return []
    best = [0.0] * len(replies)
    for owner, similarity in zip(
        owners, linear_kernel(matrix[-1], matrix[:-1]).ravel(), strict=True
    ):
        best[owner] = max(best[owner], float(similarity))
    order = sorted(range(len(replies)), key=lambda i: -best[i])[:top]
    return [
        ReplyMatch(
            reply=replies[i],
            text=reply_fill(body=replies[i].body, ticket=ticket, agent_name=agent_name),
            similarity=best[i],
        )
        for i in order
        if best[i] > 0
    ]
