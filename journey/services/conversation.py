"""Replies and internal notes, and what they do to the ticket: a customer's reply resumes a
pending ticket or reopens a resolved one (to a person, when the AI agent had resolved it)."""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from agents.models import AgentKind
from agents.resolution.agent import ticket_ai_hand_to_human
from agents.services import agent_alerts, notifications
from tickets import services as tickets
from tickets.lifecycle import CUSTOMER_REPLY_TRANSITIONS
from tickets.models import AuthorKind, Comment, Status, Ticket
from tickets.services.attachments import IncomingFile, attachments_check, attachments_store

from .. import pipeline


@transaction.atomic
def comment_add(
    *,
    ticket: Ticket,
    user: User,
    body: str,
    internal: bool = False,
    files: Sequence[IncomingFile] = (),
) -> Comment:
    """A reply or an internal note, with its `files`. A customer's reply resumes a pending
    ticket or reopens a resolved one; an agent's first public reply is the ticket's first
    response, and reaches the customer with the files."""
    attachments_check(files)
    author_kind = tickets.author_kind_for(user, internal=internal)
    ticket = tickets.ticket_lock(ticket)
    comment = tickets.comment_write(
        ticket=ticket, author=user, author_kind=author_kind, body=body, internal=internal
    )
    attachments_store(ticket=ticket, comment=comment, files=files, uploaded_by=user)
    if author_kind == AuthorKind.CUSTOMER:
        customer_reply_follow_up(ticket=ticket, user=user, comment=comment)
    elif author_kind == AuthorKind.AGENT and not internal:
        notifications.customer_reply_notify(ticket=ticket, comment=comment)
        if tickets.ticket_first_response_record(ticket=ticket):
            pipeline.first_response(ticket=ticket)
    return comment


def customer_reply_follow_up(
    *, ticket: Ticket, user: User | None, comment: Comment | None = None
) -> None:
    """What a customer's reply (in the app, on the web or by mail) does to a locked ticket: its
    assigned agent hears of `comment` (if they want to), a pending ticket resumes, a resolved one
    reopens, to a person when the AI agent had resolved it."""
    if comment is not None:
        agent_alerts.agent_customer_reply_notify(ticket=ticket, comment=comment)
    if ticket.status not in CUSTOMER_REPLY_TRANSITIONS:
        return
    after = CUSTOMER_REPLY_TRANSITIONS[ticket.status]
    before = tickets.ticket_status_apply(ticket, after, actor=user, reason="customer replied")
    pipeline.status_changed(ticket=ticket, before=before, after=after)
    ai = ticket.assigned_agent
    if after == Status.OPEN and ai is not None and ai.kind == AgentKind.AI:
        # the AI agent's answer did not help: a person takes it from here
        handed = ticket_ai_hand_to_human(
            ticket=ticket, reason="the customer replied to the AI agent's answer"
        )
        pipeline.assignment_followed(ticket=ticket, result=handed)
