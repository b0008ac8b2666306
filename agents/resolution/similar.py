"""Similar solved tickets of the queue, by TF-IDF cosine similarity over subject and body: shown
to agents as links beside a draft. Their replies are other customers' conversations and are
never sent, suggested or given to Claude."""

from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from tickets.models import Status, Ticket

from .context import last_public_agent_reply

MAX_SOLVED = 2000


@dataclass
class Match:
    ticket_id: str
    subject: str
    similarity: float


def solved_examples(*, ticket: Ticket, limit: int = MAX_SOLVED) -> list[dict]:
    """Recent solved, never-reopened tickets of the queue that an agent answered, one query."""
    rows = (
        Ticket.objects.filter(
            queue_id=ticket.queue_id,  # type: ignore[misc]  # None: the tickets without a queue
            status__in=[Status.RESOLVED, Status.CLOSED],
            reopened_count=0,
        )
        .exclude(pk=ticket.pk)
        .annotate(reply=last_public_agent_reply())
        .filter(reply__isnull=False)
        .order_by("-resolved_at")
        .values("id", "subject", "body")[:limit]
    )
    return [dict(row) for row in rows]


def similar_solved(*, ticket: Ticket, top: int = 3) -> list[Match]:
    examples = solved_examples(ticket=ticket)
    if not examples:
        return []
    docs = [f"{row['subject']}\n{row['body']}" for row in examples]
    query = f"{ticket.subject}\n{ticket.body}"
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    try:
        matrix = vectorizer.fit_transform([*docs, query])
    except ValueError:  # nothing but stop words / empty text
        return []
    sims = linear_kernel(matrix[-1], matrix[:-1]).ravel()
    order = sims.argsort()[::-1][:top]
    return [
        Match(
            ticket_id=str(examples[i]["id"]),
            subject=examples[i]["subject"],
            similarity=float(sims[i]),
        )
        for i in order
        if sims[i] > 0
    ]
