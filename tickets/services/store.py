"""Storing a new ticket exactly once per `external_id`, with its `created` event.

Nothing here routes, assigns or clocks the ticket: the journey layer (`journey.intake`) calls
these and then runs the ticket through routing, assignment and SLA. Idempotency rests on the
unique constraint: concurrent inserts of one external_id make one row; the others read it back."""

import functools
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from core.db import prepared_cursor

from .. import events
from ..models import Priority, Ticket, TicketEvent
from ..selectors import ticket_by_external_id


@dataclass
class TicketCreateResult:
    ticket: Ticket
    created: bool


def ticket_store(
    *,
    subject: str,
    body: str,
    channel: str,
    customer: User | None = None,
    customer_email: str = "",
    external_id: str | None = None,
    context: dict | None = None,
    language: str = "",
    priority: str | None = None,
    created_at: datetime | None = None,
) -> TicketCreateResult:
    """Store a ticket (or find the one stored under `external_id`) with its `created` event.
    The customer's account is its author (the event's actor)."""
    ticket = _ticket(
        subject=subject,
        body=body,
        channel=channel,
        customer=customer,
        customer_email=customer_email or (getattr(customer, "email", "") or ""),
        external_id=external_id,
        context=context,
        language=language,
        priority=priority,
        created_at=created_at,
    )
    with transaction.atomic():
        existing = _insert_once(ticket)
        if existing is not None:
            return TicketCreateResult(ticket=existing, created=False)
        events.ticket_created_event(ticket=ticket, actor=customer)
    return TicketCreateResult(ticket=ticket, created=True)


def ticket_store_pending(
    *,
    subject: str,
    body: str,
    channel: str,
    customer_email: str,
    external_id: str,
    context: dict | None = None,
    language: str = "",
) -> TicketCreateResult:
    """An integration's ticket, stored and marked `intake_pending` for the intake drain (the
    database is the work list). On PostgreSQL one prepared statement stores the ticket and its
    `created` event or reads back the ticket already stored under `external_id`."""
    ticket = _ticket(
        subject=subject,
        body=body,
        channel=channel,
        customer=None,
        customer_email=customer_email,
        external_id=external_id,
        context=context,
        language=language,
    )
    ticket.intake_pending = True
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        with transaction.atomic():
            existing = _insert_once(ticket)
            if existing is not None:
                return TicketCreateResult(ticket=existing, created=False)
            events.ticket_created_event(ticket=ticket)
        return TicketCreateResult(ticket=ticket, created=True)
    created, existing = _insert_with_created_event(connection, ticket)
    if not created:
        # None: stored by a transaction still in flight when the statement began
        existing = existing or _existing(ticket.external_id)
        if existing is None:  # ON CONFLICT only covers external_id; nothing else can skip
            raise IntegrityError("ticket not stored")
        return TicketCreateResult(ticket=existing, created=False)
    ticket._state.adding, ticket._state.db = False, connection.alias  # as save() leaves it
    return TicketCreateResult(ticket=ticket, created=True)


@transaction.atomic
def tickets_store_history(*, tickets: list[Ticket]) -> list[Ticket]:
    """History already handled elsewhere (`import_tickets`): stored as given, in bulk, each with
    an `imported` event; nothing routes them."""
    created = Ticket.objects.bulk_create(tickets)
    events.tickets_imported_events(tickets=created)
    return created


def _ticket(
    *,
    subject: str,
    body: str,
    channel: str,
    customer: User | None,
    customer_email: str,
    external_id: str | None,
    context: dict | None,
    language: str,
    priority: str | None = None,
    created_at: datetime | None = None,
) -> Ticket:
    return Ticket(
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


def _insert_with_created_event(
    connection: BaseDatabaseWrapper, ticket: Ticket
) -> tuple[bool, Ticket | None]:
    """`INSERT ticket ... ON CONFLICT DO NOTHING` and its `created` event in one prepared
    statement, which also reads the ticket already stored under the external_id, if any.
    Returns (True, None) when the ticket went in, (False, stored ticket) for a repeat."""
    event = events.ticket_created_event_unsaved(ticket=ticket)
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


def _column(name: str) -> str:
    field = Ticket._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


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
    columns = ", ".join(quote(f.column) for f in _EVENT_FIELDS)  # type: ignore[arg-type]  # concrete fields have columns
    values = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in _EVENT_FIELDS)
    table = quote(Ticket._meta.db_table)
    repeat = ", ".join(quote(_column(name)) for name in _REPEAT_FIELDS)
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
