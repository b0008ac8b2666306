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
from django.db import transaction
from django.db.models import Q

from helpdesk import realtime
from tickets.models import AuthorKind, Comment, Status, Ticket, TicketEvent
from tickets.roles import MANAGERS_GROUP

logger = logging.getLogger(__name__)

LABEL = {"first_response": "first response", "resolution": "resolution"}
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
                "assigned_agent__user__email",
            )
            .in_bulk()
        )
    return rows


def escalations_record(
    *,
    at_risk: dict[str, list[uuid.UUID]],
    breached: dict[str, list[uuid.UUID]],
    moved: list[tuple[uuid.UUID, str]],
    now: datetime,
) -> None:
    ids = list({pk for group in (*at_risk.values(), *breached.values()) for pk in group})
    if not ids:
        return
    tickets = _load(ids)
    comments: list[Comment] = []
    audit: list[TicketEvent] = []
    live: list[tuple[uuid.UUID, dict]] = []
    assignee_mail: dict[str, list[str]] = defaultdict(list)
    manager_lines: list[str] = []
    for level, fired in ((1, at_risk), (2, breached)):
        for kind, kind_ids in fired.items():
            for pk in kind_ids:
                ticket = tickets[pk]
                due = getattr(ticket, f"sla_{kind}_due")
                if level == 1:
                    minutes = max(math.ceil((due - now).total_seconds() / 60), 0)
                    text = f"SLA at risk: {LABEL[kind]} due in {minutes} minutes ({due:%Y-%m-%d %H:%M} UTC)."
                    data = {"deadline": kind, "state": "at_risk", "minutes_left": minutes}
                    agent = ticket.assigned_agent
                    if agent is not None and agent.user.email:
                        assignee_mail[agent.user.email].append(
                            f"{text} Ticket {pk}: {ticket.subject}"
                        )
                else:
                    minutes = math.floor((now - due).total_seconds() / 60)
                    text = f"SLA breached: {LABEL[kind]} was due {due:%Y-%m-%d %H:%M} UTC ({minutes} minutes ago)."
                    data = {"deadline": kind, "state": "breached", "minutes_over": minutes}
                    manager_lines.append(f"{text} Ticket {pk}: {ticket.subject}")
                comments.append(
                    Comment(ticket_id=pk, author_kind=AuthorKind.SYSTEM, body=text, internal=True)
                )
                audit.append(
                    TicketEvent(
                        ticket_id=pk,
                        kind="escalated",
                        field="escalation_level",
                        after=level,
                        reason=text,
                        data=data,
                        created_at=now,
                    )
                )
                live.append((pk, {"level": ticket.escalation_level, **data}))
    for pk, before in moved:
        audit.append(
            TicketEvent(
                ticket_id=pk,
                kind="status_changed",
                field="status",
                before=before,
                after=Status.ESCALATED,
                reason="SLA breached",
                created_at=now,
            )
        )
    created = Comment.objects.bulk_create(comments, batch_size=CHUNK)
    TicketEvent.objects.bulk_create(audit, batch_size=CHUNK)
    for pk, payload in live:
        realtime.publish("ticket.escalated", pk, payload)
    for pk, before in moved:
        realtime.publish(
            "ticket.status_changed", pk, {"status": Status.ESCALATED, "previous": before}
        )
    for comment in created:
        realtime.publish(
            "ticket.comment_added",
            comment.ticket_id,
            {"comment_id": comment.pk, "author_kind": AuthorKind.SYSTEM, "internal": True},
            internal=True,
        )
    _notify(assignee_mail=assignee_mail, manager_lines=manager_lines)


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
