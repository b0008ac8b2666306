"""Every write to a ticket. Views, consumers, tasks and admin actions call these, nothing else.

Effects that belong to the layers above (routing, assignment, SLA) are run by
`helpdesk.pipeline`, which this module calls explicitly at each step."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk import realtime

from . import events
from .exceptions import NotAllowed, TransitionError
from .lifecycle import CUSTOMER_REPLY_TRANSITIONS, agent_can_transition, system_can_transition
from .models import AuthorKind, Category, Comment, Priority, Queue, Status, Ticket
from .roles import agent_profile, user_role


def _pipeline():
    from helpdesk import pipeline  # the layer above; imported late to keep tickets at the bottom

    return pipeline


@dataclass
class TicketCreateResult:
    ticket: Ticket
    created: bool


def ticket_create(
    *,
    subject: str,
    body: str,
    channel: str,
    customer=None,
    customer_email: str = "",
    external_id: str | None = None,
    context: dict | None = None,
    language: str = "",
    priority: str | None = None,
    created_at: datetime | None = None,
    actor=None,
    run_pipeline: bool = True,
    defer_pipeline: bool = False,
) -> TicketCreateResult:
    """Store a ticket exactly once per `external_id` and run it through the intake pipeline.

    With `defer_pipeline` the ticket is stored and acknowledged at once, and routing, assignment
    and SLA run in a Celery task the moment the transaction commits (the ingestion webhook's
    path: an integration's burst is accepted at insert speed and routed right behind it).

    Idempotency rests on the unique constraint: concurrent inserts of one external_id make
    one row; the losers read it back."""
    if customer is not None and not customer_email:
        customer_email = customer.email or ""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ticket = Ticket.objects.create(
                    subject=subject,
                    body=body,
                    channel=channel,
                    customer=customer,
                    customer_email=customer_email,
                    external_id=external_id or None,
                    context=context or {},
                    language=language,
                    priority=priority or Priority.NORMAL,
                    created_at=created_at or timezone.now(),
                )
        except IntegrityError:
            existing = (
                Ticket.objects.filter(external_id=external_id).order_by().first()
                if external_id
                else None
            )
            if existing is None:  # some other constraint failed: not a repeat
                raise
            return TicketCreateResult(ticket=existing, created=False)
        events.ticket_created_event(ticket=ticket, actor=actor)
        if run_pipeline and defer_pipeline:
            ticket_id, explicit = ticket.pk, priority is not None
            transaction.on_commit(lambda: _enqueue_intake(ticket_id, explicit))
        elif run_pipeline:
            _pipeline().ticket_intake(ticket=ticket, explicit_priority=priority is not None)
        realtime.publish("ticket.created", ticket.pk, {"status": ticket.status})
    return TicketCreateResult(ticket=ticket, created=True)


def _enqueue_intake(ticket_id, explicit_priority: bool) -> None:
    from .tasks import ticket_intake_run

    ticket_intake_run.delay(str(ticket_id), explicit_priority)


def ticket_intake_deferred(*, ticket_id, explicit_priority: bool = False) -> bool:
    """Run the intake pipeline for a stored ticket once; a retried or repeated task does nothing.
    Returns whether it ran."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.events.filter(kind="routed").exists():
            return False
        _pipeline().ticket_intake(ticket=ticket, explicit_priority=explicit_priority)
    return True


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _set_status(ticket: Ticket, status: str, *, actor=None, reason: str = "") -> None:
    before = ticket.status
    now = timezone.now()
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif before == Status.RESOLVED:
        ticket.resolved_at = None
        ticket.reopened_count += 1
        fields += ["resolved_at", "reopened_count"]
    ticket.save(update_fields=fields)
    events.ticket_status_changed_event(
        ticket=ticket, actor=actor, before=before, after=status, reason=reason
    )
    _pipeline().ticket_status_changed(ticket=ticket, before=before, after=status)
    realtime.publish("ticket.status_changed", ticket.pk, {"status": status, "previous": before})
    if status == Status.RESOLVED:
        realtime.publish("ticket.resolved", ticket.pk, {"status": status})


def _require_staff(user) -> None:
    if user_role(user) not in ("agent", "manager"):
        raise NotAllowed("Only agents and managers can do this.")


@transaction.atomic
def ticket_change_status(*, ticket: Ticket, user, status: str, reason: str = "") -> Ticket:
    """An agent or manager moves a ticket through the lifecycle; anything illegal is a 409."""
    _require_staff(user)
    ticket = _locked(ticket)
    if status not in Status.values:
        raise TransitionError(f"Unknown status '{status}'.", fields={"status": ["Unknown status."]})
    if not agent_can_transition(ticket.status, status):
        raise TransitionError(f"A ticket cannot go from '{ticket.status}' to '{status}'.")
    _set_status(ticket, status, actor=user, reason=reason)
    return ticket


@transaction.atomic
def ticket_system_transition(*, ticket: Ticket, status: str, reason: str = "") -> Ticket:
    """Transitions the system makes itself (assignment, escalation, AI resolution)."""
    ticket = _locked(ticket)
    if ticket.status == status:
        return ticket
    if not system_can_transition(ticket.status, status):
        raise TransitionError(f"A ticket cannot go from '{ticket.status}' to '{status}'.")
    _set_status(ticket, status, reason=reason)
    return ticket


@transaction.atomic
def comment_create(*, ticket: Ticket, user, body: str, internal: bool = False) -> Comment:
    """A reply or an internal note. A customer's reply resumes or reopens the ticket; an agent's
    first public reply is the ticket's first response."""
    role = user_role(user)
    ticket = _locked(ticket)
    if role == "customer":
        if internal:
            raise NotAllowed("Customers cannot write internal notes.")
        author_kind = AuthorKind.CUSTOMER
    elif role in ("agent", "manager"):
        author_kind = AuthorKind.AGENT
    else:
        raise NotAllowed("Sign in to comment.")
    if ticket.status == Status.CLOSED:
        raise TransitionError("The ticket is closed; open a new ticket instead.")
    comment = Comment.objects.create(
        ticket=ticket, author=user, author_kind=author_kind, body=body, internal=internal
    )
    events.ticket_comment_event(
        ticket=ticket, actor=user, comment_id=comment.pk, internal=internal, author_kind=author_kind
    )
    realtime.publish(
        "ticket.comment_added",
        ticket.pk,
        {"comment_id": comment.pk, "author_kind": author_kind, "internal": internal},
        internal=internal,
    )
    if author_kind == AuthorKind.CUSTOMER and ticket.status in CUSTOMER_REPLY_TRANSITIONS:
        _set_status(
            ticket, CUSTOMER_REPLY_TRANSITIONS[ticket.status], actor=user, reason="customer replied"
        )
    elif author_kind == AuthorKind.AGENT and not internal:
        ticket_first_response_record(ticket=ticket)
    return comment


def ticket_first_response_record(*, ticket: Ticket, at: datetime | None = None) -> None:
    """The first public reply by an agent (or the AI agent) starts nothing twice."""
    if ticket.first_response_at is not None:
        return
    ticket.first_response_at = at or timezone.now()
    ticket.save(update_fields=["first_response_at", "updated_at"])
    events.ticket_system_event(ticket=ticket, kind="first_response")
    _pipeline().ticket_first_response(ticket=ticket)


def system_comment_create(*, ticket: Ticket, body: str, internal: bool = True) -> Comment:
    comment = Comment.objects.create(
        ticket=ticket, author=None, author_kind=AuthorKind.SYSTEM, body=body, internal=internal
    )
    realtime.publish(
        "ticket.comment_added",
        ticket.pk,
        {"comment_id": comment.pk, "author_kind": AuthorKind.SYSTEM, "internal": internal},
        internal=internal,
    )
    return comment


@transaction.atomic
def ticket_reassign(
    *, ticket: Ticket, user, agent=None, queue: Queue | None = None, reason: str
) -> Ticket:
    """Move a ticket to another agent and/or queue, with the reason, as an event."""
    _require_staff(user)
    ticket = _locked(ticket)
    if not ticket.is_open:
        raise TransitionError(f"A {ticket.status} ticket cannot be reassigned.")
    if queue is not None and queue.pk != ticket.queue_id:
        before = ticket.queue.slug if ticket.queue else None
        ticket.queue = queue
        ticket.save(update_fields=["queue", "updated_at"])
        events.ticket_field_changed_event(
            ticket=ticket,
            actor=user,
            kind="reassigned",
            field="queue",
            before=before,
            after=queue.slug,
            reason=reason,
        )
        _pipeline().ticket_queue_changed(ticket=ticket, before=before, actor=user, reason=reason)
    if agent is not None:
        _pipeline().ticket_assign_to(ticket=ticket, agent=agent, actor=user, reason=reason)
    elif queue is not None and ticket.assigned_agent_id is not None:
        _pipeline().ticket_assign_after_queue_change(ticket=ticket, actor=user, reason=reason)
    realtime.publish(
        "ticket.reassigned",
        ticket.pk,
        {
            "queue": ticket.queue.slug if ticket.queue else None,
            "agent": ticket.assigned_agent.name if ticket.assigned_agent else None,
        },
    )
    return ticket


@transaction.atomic
def ticket_correct(
    *,
    ticket: Ticket,
    user,
    category: Category | None = None,
    priority: str | None = None,
    queue: Queue | None = None,
    reason: str = "",
) -> Ticket:
    """An agent corrects what routing decided; each changed field is a `corrected` event, which the
    next training run learns from."""
    _require_staff(user)
    ticket = _locked(ticket)
    changes: dict[str, tuple] = {}
    if category is not None and category.pk != ticket.category_id:
        changes["category"] = (ticket.category.slug if ticket.category else None, category.slug)
        ticket.category = category
    if priority is not None and priority != ticket.priority:
        changes["priority"] = (ticket.priority, priority)
        ticket.priority = priority
    if queue is not None and queue.pk != ticket.queue_id:
        changes["queue"] = (ticket.queue.slug if ticket.queue else None, queue.slug)
        ticket.queue = queue
    if not changes:
        return ticket
    ticket.save(update_fields=["category", "priority", "queue", "updated_at"])
    for field, (before, after) in changes.items():
        events.ticket_field_changed_event(
            ticket=ticket,
            actor=user,
            kind="corrected",
            field=field,
            before=before,
            after=after,
            reason=reason,
        )
    _pipeline().ticket_corrected(ticket=ticket, changes=changes, actor=user)
    realtime.publish(
        "ticket.routed",
        ticket.pk,
        {
            "queue": ticket.queue.slug if ticket.queue else None,
            "category": ticket.category.slug if ticket.category else None,
            "priority": ticket.priority,
            "confidence": ticket.confidence,
            "corrected": True,
        },
    )
    return ticket


def agent_for_user(user):
    return agent_profile(user)
