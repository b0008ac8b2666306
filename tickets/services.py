"""Every write to a ticket. Views, consumers, tasks and admin actions call these, nothing else.

Effects that belong to the layers above (routing, assignment, SLA) are run by
`helpdesk.pipeline`, which this module calls explicitly at each step."""

import functools
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connections, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from core.db import prepared_cursor
from core.exceptions import NotAllowed, TransitionError
from core.memo import config_memo
from core.roles import agent_profile, user_role
from live import realtime

from . import events, intake
from .lifecycle import CUSTOMER_REPLY_TRANSITIONS, agent_can_transition, system_can_transition
from .models import AuthorKind, Category, Comment, Priority, Queue, Status, Ticket, TicketEvent
from .selectors import customer_for_email, ticket_by_external_id

logger = logging.getLogger(__name__)


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
    link_customer: bool = False,
) -> TicketCreateResult:
    """Store a ticket exactly once per `external_id` and run it through the intake pipeline.

    With `defer_pipeline` (the ingestion webhook with Redis) the ticket is stored and acknowledged
    at once, marked `intake_pending`, and routing, assignment and SLA run in a Celery worker
    right behind it (`ticket_intake_drain`): an integration's burst is accepted at insert speed.
    A caller-given priority is never deferred.

    `link_customer`: attach the customer account that owns `customer_email` (in the worker when
    deferred, so the request does not pay for the lookup).

    Idempotency rests on the unique constraint: concurrent inserts of one external_id make
    one row; the losers read it back."""
    if customer is not None and not customer_email:
        customer_email = customer.email or ""
    deferred = run_pipeline and defer_pipeline and priority is None
    if link_customer and customer is None and customer_email and not deferred:
        customer = customer_for_email(email=customer_email)
    ticket = Ticket(
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
        intake_pending=deferred,
    )
    if deferred and transaction.get_connection().vendor == "postgresql":
        return _ticket_store_pending(ticket, actor=actor)
    with transaction.atomic():
        existing = _insert_once(ticket)
        if existing is not None:
            return TicketCreateResult(ticket=existing, created=False)
        events.ticket_created_event(ticket=ticket, actor=actor)
        if deferred:  # the intake drain takes it in and announces it
            transaction.on_commit(intake.ring)
        else:
            if run_pipeline:
                _pipeline().ticket_intake(ticket=ticket, explicit_priority=priority is not None)
            realtime.publish("ticket.created", ticket, {"status": ticket.status})
    return TicketCreateResult(ticket=ticket, created=True)


def _insert_once(ticket: Ticket) -> Ticket | None:
    """Insert `ticket`; None when it went in, the stored ticket when its external_id exists."""
    try:
        with transaction.atomic():
            ticket.save(force_insert=True)
    except IntegrityError:
        existing = _existing(ticket.external_id)
        if existing is None:  # some other constraint failed: not a repeat
            raise
        return existing
    return None


def _existing(external_id: str | None) -> Ticket | None:
    return ticket_by_external_id(external_id=external_id) if external_id else None


def _ticket_store_pending(ticket: Ticket, *, actor) -> TicketCreateResult:
    """The ingestion fast path on PostgreSQL: one statement stores the ticket and its `created`
    event, or reads back the ticket already stored under its external_id (one round trip, its
    own transaction); then a ring of the intake doorbell."""
    connection = transaction.get_connection()
    created, existing = _insert_with_created_event(connection, ticket, actor=actor)
    if not created:
        # None: stored by a transaction still in flight when the statement began
        existing = existing or _existing(ticket.external_id)
        if existing is None:  # ON CONFLICT only covers external_id; nothing else can skip
            raise IntegrityError("ticket not stored")
        return TicketCreateResult(ticket=existing, created=False)
    ticket._state.adding, ticket._state.db = False, connection.alias  # as save() leaves it
    transaction.on_commit(intake.ring)
    return TicketCreateResult(ticket=ticket, created=True)


def _insert_with_created_event(connection, ticket: Ticket, *, actor) -> tuple[bool, Ticket | None]:
    """`INSERT ticket ... ON CONFLICT DO NOTHING` and its `created` event in one prepared
    statement, which also reads the ticket already stored under the external_id, if any.
    Returns (True, None) when the ticket went in, (False, stored ticket) for a repeat."""
    event = events.ticket_created_event_unsaved(ticket=ticket, actor=actor)
    params = [
        field.get_db_prep_save(field.pre_save(row, add=True), connection)
        for row, fields in ((ticket, _TICKET_FIELDS), (event, _EVENT_FIELDS))
        for field in fields
    ]
    params.append(ticket.external_id)
    with prepared_cursor(connection) as cursor:
        cursor.execute(_ingest_sql(connection.alias), params)
        row = cursor.fetchone()
    if row is None:
        return False, None
    if row[0]:
        return True, None
    return False, Ticket.from_db(connection.alias, _REPEAT_FIELDS, row[1:])


_TICKET_FIELDS = Ticket._meta.concrete_fields
_EVENT_FIELDS = [f for f in TicketEvent._meta.concrete_fields if not f.primary_key]
_REPEAT_FIELDS = ["id", "status", "created_at"]  # what the webhook answers; the rest loads lazily


@functools.cache
def _ingest_sql(alias: str) -> str:
    """The statement's text, built once from Django's own insert compiler (so its columns follow
    the model); every value is a plain placeholder, filled per ticket as the compiler would.
    It answers one row: (true, nulls) when stored, (false, id, status, created_at) when the
    external_id was already there, nothing when a concurrent transaction holds it."""
    connection = connections[alias]
    query = InsertQuery(Ticket, on_conflict=OnConflict.IGNORE)
    query.insert_values(_TICKET_FIELDS, [Ticket()])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [Ticket._meta.pk]
    [(ticket_sql, ticket_params)] = compiler.as_sql()
    assert len(ticket_params) == len(_TICKET_FIELDS), "a field with its own placeholder"
    quote = connection.ops.quote_name
    cast = {f.name: f.cast_db_type(connection) for f in Ticket._meta.concrete_fields}
    columns = ", ".join(quote(f.column) for f in _EVENT_FIELDS)
    values = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in _EVENT_FIELDS)
    table = quote(Ticket._meta.db_table)
    repeat = ", ".join(quote(Ticket._meta.get_field(name).column) for name in _REPEAT_FIELDS)
    nulls = ", ".join(f"CAST(NULL AS {cast[name]})" for name in _REPEAT_FIELDS)
    return (
        f"WITH stored AS ({ticket_sql}), "
        f"created AS (INSERT INTO {quote(TicketEvent._meta.db_table)} ({columns}) "
        f"SELECT {values} FROM stored RETURNING 1) "
        f"SELECT true, {nulls} FROM created "
        f"UNION ALL SELECT false, {repeat} FROM {table} "
        f"WHERE {quote('external_id')} = CAST(%s AS {cast['external_id']}) "
        "AND NOT EXISTS (SELECT 1 FROM stored)"
    )


def ticket_intake_deferred(*, ticket_id, explicit_priority: bool = False) -> bool:
    """Run the intake pipeline for a stored ticket once; a retried or repeated task does nothing.
    Returns whether it ran."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or ticket.events.filter(kind="routed").exists():
            return False
        _intake_run(ticket, explicit_priority=explicit_priority)
    return True


def ticket_intake_drain(*, limit: int = 500) -> int:
    """Route, assign and start the SLA of waiting tickets (`intake_pending`), oldest first, one
    transaction each; workers running this at once share the list (SKIP LOCKED). A ticket whose
    intake fails stays pending (logged) for the next drain; nothing stored is lost. Returns how
    many were taken in."""
    intake.doorbell_clear()  # before looking: anything stored from now on rings again
    done, failed, looked_again = 0, [], False
    with config_memo():  # rules, phrases, SLA policies, calendars: read once per few seconds
        while done < limit:
            claimed = None
            try:
                with transaction.atomic():
                    claimed = (
                        Ticket.objects.select_for_update(skip_locked=True)
                        .filter(intake_pending=True)
                        .exclude(pk__in=failed)
                        .order_by("created_at")
                        .first()
                    )
                    if claimed is not None:
                        _intake_run(claimed)
            except Exception:
                if claimed is None:  # the database itself failed: let the task retry
                    raise
                logger.exception("intake of ticket %s failed; it stays pending", claimed.pk)
                failed.append(claimed.pk)
                continue
            if claimed is None:
                # Nothing waiting. One more look, more than the ring memo after the clear: a
                # process that skipped ringing had found the bell set within the memo before,
                # so some drain clears that bell later and looks again after this delay, which
                # is after the skipped ticket's commit (tickets.intake).
                delay = intake.recheck_delay()
                if looked_again or not delay:
                    return done
                looked_again = True
                time.sleep(delay)
                continue
            done += 1
    intake.ring(force=True)  # more may be waiting: another drain takes over
    return done


def _intake_run(ticket: Ticket, *, explicit_priority: bool = False) -> None:
    """Inside the caller's transaction, with the ticket locked. `ticket.created` goes out after
    the pipeline's events, as on the inline path (the workspace socket folds it into the
    `ticket.routed` just before it: one frame fewer per open workspace)."""
    pending = ticket.intake_pending
    if pending:
        ticket.intake_pending = False
        changed = ["intake_pending"]
        if ticket.customer_id is None and ticket.customer_email:
            ticket.customer = customer_for_email(email=ticket.customer_email)
            changed.append("customer")
        ticket.save(update_fields=changed)
    _pipeline().ticket_intake(ticket=ticket, explicit_priority=explicit_priority)
    if pending:
        realtime.publish("ticket.created", ticket, {"status": ticket.status})


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
    realtime.publish("ticket.status_changed", ticket, {"status": status, "previous": before})
    if status == Status.RESOLVED:
        realtime.publish("ticket.resolved", ticket, {"status": status})


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
        ticket,
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
        ticket,
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
    was = (ticket.queue_id, ticket.assigned_agent_id)  # their lists lose it: they hear of it
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
        ticket,
        {
            "queue": ticket.queue.slug if ticket.queue else None,
            "agent": ticket.assigned_agent.name if ticket.assigned_agent else None,
        },
        was=was,
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
    was = (ticket.queue_id, None)
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
        ticket,
        {
            "queue": ticket.queue.slug if ticket.queue else None,
            "category": ticket.category.slug if ticket.category else None,
            "priority": ticket.priority,
            "confidence": ticket.confidence,
            "corrected": True,
        },
        was=was,
    )
    return ticket


def agent_for_user(user):
    return agent_profile(user)
