"""Side effects of escalations the monitor has claimed: system notes, audit events, live events
and notifications, for the claimed ids only and in bulk (inside the claiming transaction, so
they exist exactly when the claim does). The notes and events are tickets' bulk writers
(tickets/services/escalation.py); their text is `tickets.events.escalation_note`."""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from agents.models import Agent
from agents.services.notifications import mail_digest_enqueue, notification_enqueue
from core.roles import MANAGERS_GROUP
from live import realtime
from live.types import EventType
from tickets import events
from tickets.events import escalation_note
from tickets.models import AuthorKind, Status, Ticket
from tickets.services.escalation import EscalationNote, tickets_escalation_notes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fired:
    """One escalation written for one ticket: what the live event and the mail need."""

    ticket_id: uuid.UUID
    comment_id: int
    level: int  # the ticket's escalation level now
    kind: str  # first_response | resolution
    state: str  # at_risk | breached
    minutes: int
    text: str
    email: str  # the assignee's
    subject: str
    queue_id: int | None = None  # whose workspace lists the live events concern
    agent_id: int | None = None


@dataclass(frozen=True)
class Claim:
    """A ticket one claim of the monitor took, with what its side effects need of it."""

    ticket_id: uuid.UUID
    subject: str
    due: datetime  # the deadline that fired
    level: int  # escalation level the claim read (before it, for a breach; after, at risk)
    queue_id: int | None
    agent_id: int | None


def fired_write(
    *,
    kind: str,
    state: str,
    claims: list[Claim],
    levels: dict[uuid.UUID, int],
    emails: dict[int, str],
    now: datetime,
) -> list[Fired]:
    """The notes and events of one deadline and level, for its claimed tickets (each at most
    once); `levels` are the tickets' escalation levels after the pass, `emails` the assignees'."""
    level = 1 if state == "at_risk" else 2
    minutes_key = "minutes_left" if state == "at_risk" else "minutes_over"
    fired, notes = [], []
    for claim in claims:
        minutes, text = escalation_note(deadline=kind, state=state, due=claim.due, now=now)
        data = {"deadline": kind, "state": state, minutes_key: minutes}
        notes.append(EscalationNote(ticket_id=claim.ticket_id, level=level, text=text, data=data))
        fired.append((claim, minutes, text))
    comment_ids = tickets_escalation_notes(notes=notes, now=now)
    return [
        Fired(
            ticket_id=claim.ticket_id,
            comment_id=comment_id,
            level=levels[claim.ticket_id],
            kind=kind,
            state=state,
            minutes=minutes,
            text=text,
            email=emails.get(claim.agent_id, "") if claim.agent_id else "",
            subject=claim.subject,
            queue_id=claim.queue_id,
            agent_id=claim.agent_id,
        )
        for (claim, minutes, text), comment_id in zip(fired, comment_ids, strict=True)
    ]


def _levels(at_risk: dict[str, list[Claim]], breached: dict[str, list[Claim]]) -> dict:
    """Each claimed ticket's escalation level once the whole pass is through."""
    levels: dict[uuid.UUID, int] = {}
    for claims, floor in [(c, 1) for c in at_risk.values()] + [(c, 2) for c in breached.values()]:
        for claim in claims:
            now = max(claim.level, floor)
            levels[claim.ticket_id] = max(levels.get(claim.ticket_id, now), now)
    return levels


def _assignee_emails(claims: list[Claim]) -> dict[int, str]:
    ids = {claim.agent_id for claim in claims if claim.agent_id}
    if not ids:
        return {}
    return dict(
        Agent.objects.filter(pk__in=ids).exclude(user__email="").values_list("pk", "user__email")
    )


def escalations_record(
    *,
    at_risk: dict[str, list[Claim]],
    breached: dict[str, list[Claim]],
    moved: list[tuple[uuid.UUID, str]],
    now: datetime,
) -> list[Fired]:
    """Notes, audit rows, live events and mail for the claimed escalations; `moved` are the
    breached tickets moved to `escalated` (their status events are already written)."""
    levels = _levels(at_risk, breached)
    emails = _assignee_emails(
        [c for claims in (*at_risk.values(), *breached.values()) for c in claims]
    )
    fired: list[Fired] = []
    for state, groups in (("at_risk", at_risk), ("breached", breached)):
        for kind, claims in groups.items():
            if claims:
                fired += fired_write(
                    kind=kind, state=state, claims=claims, levels=levels, emails=emails, now=now
                )
    # whose workspace lists each ticket's events concern (a moved ticket is always a breached one)
    audiences = {
        item.ticket_id: realtime.audience_of(item.queue_id, item.agent_id) for item in fired
    }
    for item in fired:
        minutes_key = "minutes_left" if item.state == "at_risk" else "minutes_over"
        realtime.publish(
            EventType.ESCALATED,
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
            EventType.STATUS_CHANGED,
            pk,
            {"status": Status.ESCALATED, "previous": before},
            audience=audiences.get(pk),
        )
    for item in fired:
        realtime.publish(
            EventType.COMMENT_ADDED,
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
    _notify(assignee_mail=assignee_mail, manager_lines=manager_lines, now=now)
    return fired


def _manager_emails() -> list[str]:
    users = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name=MANAGERS_GROUP), is_active=True
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def _notify(
    *, assignee_mail: dict[str, list[str]], manager_lines: list[str], now: datetime
) -> None:
    """One mail per assignee and one digest for the managers, through the outbox (sent after
    commit, retried when the mail server fails: an outage delays them, loses none)."""
    pass_key = now.isoformat()
    for email, lines in assignee_mail.items():
        mail_digest_enqueue(
            event="sla.at_risk",
            key=pass_key,
            recipients=[email],
            title=f"SLA at risk on {len(lines)} ticket(s)",
            body="\n".join(lines),
        )
    managers = _manager_emails() if manager_lines else []
    if managers:
        mail_digest_enqueue(
            event="sla.breached",
            key=pass_key,
            recipients=managers,
            title=f"SLA breached on {len(manager_lines)} ticket(s)",
            body="\n".join(manager_lines),
        )


@transaction.atomic
def ticket_wait_escalate(*, ticket: Ticket, reason: str) -> Ticket:
    """Nobody can take the ticket: it is marked escalated (level 1) and managers are told, once.

    The status stays `open`: the ticket is waiting, not being worked on, and the customer should
    see that. The monitor may still escalate the status itself later."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.escalation_level < 1:
        locked.escalation_level = 1
        locked.save(update_fields=["escalation_level", "updated_at"])
        events.ticket_escalated_event(
            ticket=locked, level=locked.escalation_level, reason=reason, cause="no_agent_free"
        )
        realtime.publish(
            EventType.ESCALATED, locked, {"level": locked.escalation_level, "reason": reason}
        )
        notification_enqueue(
            event="ticket.escalated",
            ticket=locked,
            audience="managers",
            dedupe=f"no-agent:{locked.escalation_level}",
            title=f"No agent free for: {locked.subject}",
            body=f"Ticket {locked.pk} is waiting for an agent ({reason}).",
        )
    ticket.escalation_level, ticket.updated_at = locked.escalation_level, locked.updated_at
    return ticket
