"""What the drafter knows about a ticket: itself, its mobile context, the customer's account (as
the integration described it) and history."""

from django.db.models import OuterRef, Q, Subquery

from tickets.models import AuthorKind, Comment, Ticket
from tickets.selectors import customer_account_facts

PREVIOUS_TICKETS = 5


def last_public_agent_reply():
    """A subquery: the ticket's most recent public reply by an agent (its resolution, if solved)."""
    return Subquery(
        Comment.objects.filter(ticket=OuterRef("pk"), author_kind=AuthorKind.AGENT, internal=False)
        .order_by("-created_at", "-id")
        .values("body")[:1]
    )


def ticket_context_load(*, ticket: Ticket) -> dict:
    """A JSON-ready snapshot, stored whole with every AI attempt."""
    same_customer = Q(customer_id=ticket.customer_id) if ticket.customer_id else Q()
    if ticket.customer_email:
        same_customer |= Q(customer_email=ticket.customer_email)
    previous = []
    if same_customer:
        previous = list(
            Ticket.objects.filter(same_customer)
            .exclude(pk=ticket.pk)
            .annotate(resolution=last_public_agent_reply())
            .order_by("-created_at")
            .values("id", "subject", "status", "created_at", "resolved_at", "resolution")[
                :PREVIOUS_TICKETS
            ]
        )
    return {
        "ticket": {
            "id": str(ticket.pk),
            "subject": ticket.subject,
            "body": ticket.body,
            "channel": ticket.channel,
            "language": ticket.language,
            "priority": ticket.priority,
            "queue": ticket.queue.slug if ticket.queue else None,
            "category": ticket.category.slug if ticket.category else None,
        },
        "mobile_context": ticket.context or {},
        "account": customer_account_facts(email=ticket.customer_email),
        "previous_tickets": [
            {
                "id": str(row["id"]),
                "subject": row["subject"],
                "status": row["status"],
                "created_at": row["created_at"].isoformat(),
                "resolved_at": row["resolved_at"].isoformat() if row["resolved_at"] else None,
                "resolution": row["resolution"],
            }
            for row in previous
        ],
    }
