"""One pass of the SLA monitor: fire at-risk and breach escalations exactly once, set-based.

Each level is claimed under row locks with a condition on its state (at risk: one conditional
UPDATE ... WHERE state < 1 ... RETURNING id; breach: SELECT ... WHERE state < 2 ... FOR UPDATE, then
one UPDATE of those ids). Two monitors running at once get disjoint sets of ids (the second waits on
the first one's row locks and then no longer matches), and a worker that dies mid-pass rolls back
the claim together with its side effects, so the redelivered task (acks_late) claims the same rows
again. Side effects are written for the claimed ids only, in bulk."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tickets.models import SlaState, Ticket
from tickets.services.escalation import escalate_status_sql, tickets_escalated_events

from . import escalation
from .risk import breach_risk_refresh
from .selectors import DEFAULT_AT_RISK_MINUTES, max_at_risk_minutes

# The resolution clock runs in these; the partial index ticket_sla_res_open has the same list.
RUNNING = ("open", "assigned", "in_progress", "escalated")


@dataclass
class MonitorResult:
    at_risk: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    breached: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    escalated_status: int = 0
    risk_updated: int = 0

    def summary(self) -> str:
        parts = [
            f"{kind} at risk: {len(self.at_risk.get(kind, []))}, "
            f"breached: {len(self.breached.get(kind, []))}"
            for kind in ("first_response", "resolution")
        ]
        return "; ".join(parts) + (
            f"; status escalated: {self.escalated_status}; breach risk updated: {self.risk_updated}"
        )


def _p(value):
    return connection.ops.adapt_datetimefield_value(value)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _when(value) -> datetime:
    """A timestamp from a raw row (SQLite answers text)."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)
    return _when(parse_datetime(value))


_T = Ticket._meta.db_table
_RUNNING_SQL = ", ".join(f"'{s}'" for s in RUNNING)
# what each claim reads of its tickets for the notes, live events and mail (escalation.Claim)
_FACTS = "id, subject, {due}, escalation_level, queue_id, assigned_agent_id"


def _claims(sql: str, params: dict) -> list[tuple[escalation.Claim, str]]:
    """(claim, status) per row of `_FACTS` followed by the status."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (escalation.Claim(_uuid(pk), subject, _when(due), level, queue_id, agent_id), status)
            for pk, subject, due, level, queue_id, agent_id, status in cursor.fetchall()
        ]


def _level_sql(level: int) -> str:
    return f"CASE WHEN {_T}.escalation_level < {level} THEN {level} ELSE {_T}.escalation_level END"


def _claim_breached(kind: str, now: datetime) -> list[tuple[escalation.Claim, str]]:
    """Claim the breaches of one deadline and move those tickets to `escalated` where the
    lifecycle allows (tickets' own expression, in the same UPDATE); returns each claim with the
    ticket's status before."""
    state, due = f"sla_{kind}_state", f"sla_{kind}_due"
    extra = "AND first_response_at IS NULL" if kind == "first_response" else ""
    where = (
        f"status IN ({_RUNNING_SQL}) AND {state} < {SlaState.BREACHED} "
        f"AND sla_paused_at IS NULL {extra} AND {due} <= %(now)s"
    )
    assign = (
        f"{state} = {SlaState.BREACHED}, escalation_level = {_level_sql(2)}, "
        f"updated_at = %(now)s, {escalate_status_sql(_T)}"
    )
    select = f"SELECT {_FACTS.format(due=due)}, status FROM {_T} WHERE {where}"
    params = {"now": _p(now)}
    if connection.vendor == "postgresql":
        # FOR UPDATE: a second monitor waits here on the first one's row locks, then re-checks
        # each row, which no longer matches; the UPDATE then touches only the rows locked here.
        claimed = _claims(f"{select} FOR UPDATE", params)
        if claimed:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {_T} SET {assign} WHERE id = ANY(%(ids)s)",
                    {**params, "ids": [claim.ticket_id for claim, _ in claimed]},
                )
        return claimed
    # SQLite: BEGIN IMMEDIATE holds the database's write lock for the whole transaction, so the
    # rows read here are exactly the rows the UPDATE then claims.
    claimed = _claims(select, params)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_T} SET {assign} WHERE {where}", params)
    return claimed


def _claim_at_risk(kind: str, now: datetime, widest: int) -> list[escalation.Claim]:
    state, due = f"sla_{kind}_state", f"sla_{kind}_due"
    extra = "AND first_response_at IS NULL" if kind == "first_response" else ""
    clock = f"(SELECT c.{kind}_risk_at FROM sla_ticketsla c WHERE c.ticket_id = {_T}.id)"
    claimed = _claims(
        f"UPDATE {_T} SET {state} = {SlaState.AT_RISK}, escalation_level = {_level_sql(1)}, "
        f"updated_at = %(now)s WHERE status IN ({_RUNNING_SQL}) AND {state} < {SlaState.AT_RISK} "
        f"AND sla_paused_at IS NULL {extra} "
        f"AND {due} > %(now)s AND {due} <= %(horizon)s "
        f"AND ({clock} <= %(now)s OR ({clock} IS NULL AND {due} <= %(default)s)) "
        f"RETURNING {_FACTS.format(due=due)}, status",
        {
            "now": _p(now),
            "horizon": _p(now + timedelta(minutes=widest)),
            "default": _p(now + timedelta(minutes=DEFAULT_AT_RISK_MINUTES)),
        },
    )
    return [claim for claim, _ in claimed]


def sla_monitor_run(*, now: datetime | None = None, refresh_risk: bool = True) -> MonitorResult:
    """One monitor pass (the beat task and `sla_check` both run this)."""
    now = now or timezone.now()
    result = MonitorResult()
    widest = max_at_risk_minutes()
    with transaction.atomic():
        at_risk: dict[str, list[escalation.Claim]] = {}
        breached: dict[str, list[escalation.Claim]] = {}
        before: dict[uuid.UUID, str] = {}  # breached tickets: their status before the pass
        for kind in ("first_response", "resolution"):
            rows = _claim_breached(kind, now)
            breached[kind] = [claim for claim, _ in rows]
            for claim, status in rows:
                before.setdefault(claim.ticket_id, status)
            at_risk[kind] = _claim_at_risk(kind, now, widest)
        moved = tickets_escalated_events(
            claimed=list(before.items()), now=now, reason="SLA breached"
        )
        result.at_risk = {kind: [c.ticket_id for c in claims] for kind, claims in at_risk.items()}
        result.breached = {kind: [c.ticket_id for c in claims] for kind, claims in breached.items()}
        result.escalated_status = len(moved)
        escalation.escalations_record(at_risk=at_risk, breached=breached, moved=moved, now=now)
    if refresh_risk:
        result.risk_updated = breach_risk_refresh(now=now)
    return result
