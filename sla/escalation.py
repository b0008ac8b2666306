"""Side effects of escalations the monitor has claimed: system comments, audit events, live events
and notifications, written in bulk for the claimed ids only (inside the claiming transaction, so
they exist exactly when the claim does)."""

import logging
import math
import uuid
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import Q

from core.roles import MANAGERS_GROUP
from live import realtime
from tickets.models import AuthorKind, Comment, Status, Ticket, TicketEvent

from . import escalation_sql
from .escalation_sql import LABEL, Fired

logger = logging.getLogger(__name__)

CHUNK = 5000


def _load(ids: list[uuid.UUID]) -> dict[uuid.UUID, Ticket]:
    rows: dict[uuid.UUID, Ticket] = {}
    for start in range(0, len(ids), CHUNK):
        rows.update(
            Ticket.objects.filter(pk__in=ids[start : start + CHUNK])
            .select_related("assigned_agent__user")
            .only(
                "id",
                "subject",
                "sla_first_response_due",
                "sla_resolution_due",
                "escalation_level",
                "queue",
                "assigned_agent__user__email",
            )
            .in_bulk()
        )
    return rows


def _fired_write_orm(*, kind: str, state: str, ids: list[uuid.UUID], now: datetime) -> list[Fired]:
    """The portable path (SQLite): the same rows as escalation_sql, through bulk_create."""
    tickets = _load(ids)
    prepared = []
    for pk in ids:
        ticket = tickets[pk]
        due = getattr(ticket, f"sla_{kind}_due")
        if state == "at_risk":
            minutes = max(math.ceil((due - now).total_seconds() / 60), 0)
            text = (
                f"SLA at risk: {LABEL[kind]} due in {minutes} minutes ({due:%Y-%m-%d %H:%M} UTC)."
            )
            data = {"deadline": kind, "state": state, "minutes_left": minutes}
        else:
            minutes = math.floor((now - due).total_seconds() / 60)
            text = f"SLA breached: {LABEL[kind]} was due {due:%Y-%m-%d %H:%M} UTC ({minutes} minutes ago)."
            data = {"deadline": kind, "state": state, "minutes_over": minutes}
        prepared.append((ticket, minutes, text, data))
    comments = Comment.objects.bulk_create(
        [
            Comment(ticket_id=t.pk, author_kind=AuthorKind.SYSTEM, body=text, internal=True)
            for t, _, text, _ in prepared
        ],
        batch_size=CHUNK,
    )
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=t.pk,
                kind="escalated",
                field="escalation_level",
                after=1 if state == "at_risk" else 2,
                reason=text,
                data=data,
                created_at=now,
            )
            for t, _, text, data in prepared
        ],
        batch_size=CHUNK,
    )
    return [
        Fired(
            ticket_id=t.pk,
            comment_id=comment.pk,
            level=t.escalation_level,
            kind=kind,
            state=state,
            minutes=minutes,
            text=text,
            subject=t.subject,
            email=t.assigned_agent.user.email if t.assigned_agent else "",
            queue_id=t.queue_id,
            agent_id=t.assigned_agent_id,
        )
        for (t, minutes, text, _), comment in zip(prepared, comments, strict=True)
    ]


def _status_events_write_orm(*, moved: list[tuple[uuid.UUID, str]], now: datetime) -> None:
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=pk,
                kind="status_changed",
                field="status",
                before=before,
                after=Status.ESCALATED,
                reason="SLA breached",
                created_at=now,
            )
            for pk, before in moved
        ],
        batch_size=CHUNK,
    )


def escalations_record(
    *,
    at_risk: dict[str, list[uuid.UUID]],
    breached: dict[str, list[uuid.UUID]],
    moved: list[tuple[uuid.UUID, str]],
    now: datetime,
) -> list[Fired]:
    """Comments, audit rows, live events and mail for the claimed escalations."""
    on_postgres = connection.vendor == "postgresql"
    write = escalation_sql.fired_write if on_postgres else _fired_write_orm
    fired: list[Fired] = []
    for state, groups in (("at_risk", at_risk), ("breached", breached)):
        for kind, ids in groups.items():
            if ids:
                fired += write(kind=kind, state=state, ids=ids, now=now)
    if moved:
        (escalation_sql.status_events_write if on_postgres else _status_events_write_orm)(
            moved=moved, now=now
        )
    # whose workspace lists each ticket's events concern (a moved ticket is always a breached one)
    audiences = {
        item.ticket_id: realtime.audience_of(item.queue_id, item.agent_id) for item in fired
    }
    for item in fired:
        minutes_key = "minutes_left" if item.state == "at_risk" else "minutes_over"
        realtime.publish(
            "ticket.escalated",
            item.ticket_id,
            {
                "level": item.level,
                "deadline": item.kind,
                "state": item.state,
                minutes_key: item.minutes,
            },
            audience=audiences[item.ticket_id],
        )
    for pk, before in moved:
        realtime.publish(
            "ticket.status_changed",
            pk,
            {"status": Status.ESCALATED, "previous": before},
            audience=audiences.get(pk),
        )
    for item in fired:
        realtime.publish(
            "ticket.comment_added",
            item.ticket_id,
            {"comment_id": item.comment_id, "author_kind": AuthorKind.SYSTEM, "internal": True},
            internal=True,
            audience=audiences[item.ticket_id],
        )
    assignee_mail: dict[str, list[str]] = defaultdict(list)
    manager_lines: list[str] = []
    for item in fired:
        line = f"{item.text} Ticket {item.ticket_id}: {item.subject}"
        if item.state == "breached":
            manager_lines.append(line)
        elif item.email:
            assignee_mail[item.email].append(line)
    _notify(assignee_mail=assignee_mail, manager_lines=manager_lines)
    return fired


def _manager_emails() -> list[str]:
    users = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name=MANAGERS_GROUP), is_active=True
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def _notify(*, assignee_mail: dict[str, list[str]], manager_lines: list[str]) -> None:
    """One mail per assignee and one digest for the managers, sent after commit."""
    sender = settings.DEFAULT_FROM_EMAIL
    messages = [
        (f"SLA at risk on {len(lines)} ticket(s)", "\n".join(lines), sender, [email])
        for email, lines in assignee_mail.items()
    ]
    managers = _manager_emails() if manager_lines else []
    if managers:
        messages.append(
            (
                f"SLA breached on {len(manager_lines)} ticket(s)",
                "\n".join(manager_lines),
                sender,
                managers,
            )
        )
    if messages:
        transaction.on_commit(lambda: _send(messages))


def _send(messages) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # a mail server outage must not undo an escalation that already happened
        logger.exception("SLA notification mail not sent")
