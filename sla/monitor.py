"""One pass of the SLA monitor: fire at-risk and breach escalations exactly once, set-based.

Each level is claimed under row locks with a condition on its state (at risk: one conditional
UPDATE ... WHERE state < 1 ... RETURNING id; breach: SELECT ... WHERE state < 2 ... FOR UPDATE, then
one UPDATE of those ids). Two monitors running at once get disjoint sets of ids (the second waits on
the first one's row locks and then no longer matches), and a worker that dies mid-pass rolls back
the claim together with its side effects, so the redelivered task (acks_late) claims the same rows
again. Side effects are written for the claimed ids only, in bulk."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from tickets.lifecycle import SYSTEM_TRANSITIONS
from tickets.models import Status, Ticket

from . import escalation
from .risk import breach_risk_refresh
from .selectors import DEFAULT_AT_RISK_MINUTES, max_at_risk_minutes

# The resolution clock runs in these; the partial index ticket_sla_res_open has the same list.
RUNNING = ("open", "assigned", "in_progress", "escalated")
TO_ESCALATED = tuple(s for s, targets in SYSTEM_TRANSITIONS.items() if Status.ESCALATED in targets)


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


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(_uuid(row[0]), *row[1:]) for row in cursor.fetchall()]


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _claim(sql: str, params: dict) -> list[uuid.UUID]:
    return [row[0] for row in _rows(sql, params)]


_T = Ticket._meta.db_table
_RUNNING_SQL = ", ".join(f"'{s}'" for s in RUNNING)
_MOVES_SQL = ", ".join(f"'{s}'" for s in TO_ESCALATED)


def _level_sql(level: int) -> str:
    return f"CASE WHEN {_T}.escalation_level < {level} THEN {level} ELSE {_T}.escalation_level END"


def _claim_breached(kind: str, now: datetime) -> list[tuple[uuid.UUID, str]]:
    """Claim the breaches of one deadline and move those tickets to `escalated` (from the statuses
    the lifecycle allows); returns (id, status before) of the claimed tickets."""
    state, due = f"sla_{kind}_state", f"sla_{kind}_due"
    extra = "AND first_response_at IS NULL" if kind == "first_response" else ""
    where = (
        f"status IN ({_RUNNING_SQL}) AND {state} < 2 AND sla_paused_at IS NULL {extra} "
        f"AND {due} <= %(now)s"
    )
    assign = (
        f"{state} = 2, escalation_level = {_level_sql(2)}, updated_at = %(now)s, "
        f"status = CASE WHEN {_T}.status IN ({_MOVES_SQL}) THEN '{Status.ESCALATED}' "
        f"ELSE {_T}.status END"
    )
    params = {"now": _p(now)}
    if connection.vendor == "postgresql":
        # FOR UPDATE: a second monitor waits here on the first one's row locks, then re-checks
        # each row, which no longer matches; the UPDATE then touches only the rows locked here.
        before = _rows(f"SELECT id, status FROM {_T} WHERE {where} FOR UPDATE", params)
        if before:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {_T} SET {assign} WHERE id = ANY(%(ids)s)",
                    {**params, "ids": [pk for pk, _ in before]},
                )
        return before
    # SQLite: BEGIN IMMEDIATE holds the database's write lock for the whole transaction, so the
    # rows read here are exactly the rows the UPDATE then claims.
    before = _rows(f"SELECT id, status FROM {_T} WHERE {where}", params)
    _claim(f"UPDATE {_T} SET {assign} WHERE {where} RETURNING id", params)
    return before


def _claim_at_risk(kind: str, now: datetime, widest: int) -> list[uuid.UUID]:
    state, due = f"sla_{kind}_state", f"sla_{kind}_due"
    extra = "AND first_response_at IS NULL" if kind == "first_response" else ""
    clock = f"(SELECT c.{kind}_risk_at FROM sla_ticketsla c WHERE c.ticket_id = {_T}.id)"
    return _claim(
        f"UPDATE {_T} SET {state} = 1, escalation_level = {_level_sql(1)}, updated_at = %(now)s "
        f"WHERE status IN ({_RUNNING_SQL}) AND {state} < 1 AND sla_paused_at IS NULL {extra} "
        f"AND {due} > %(now)s AND {due} <= %(horizon)s "
        f"AND ({clock} <= %(now)s OR ({clock} IS NULL AND {due} <= %(default)s)) "
        f"RETURNING id",
        {
            "now": _p(now),
            "horizon": _p(now + timedelta(minutes=widest)),
            "default": _p(now + timedelta(minutes=DEFAULT_AT_RISK_MINUTES)),
        },
    )


def sla_monitor_run(*, now: datetime | None = None, refresh_risk: bool = True) -> MonitorResult:
    """One monitor pass (the beat task and `sla_check` both run this)."""
    now = now or timezone.now()
    result = MonitorResult()
    widest = max_at_risk_minutes()
    with transaction.atomic():
        moved: list[tuple[uuid.UUID, str]] = []
        for kind in ("first_response", "resolution"):
            claimed = _claim_breached(kind, now)
            result.breached[kind] = [pk for pk, _ in claimed]
            moved += [(pk, before) for pk, before in claimed if before in TO_ESCALATED]
            result.at_risk[kind] = _claim_at_risk(kind, now, widest)
        result.escalated_status = len(moved)
        escalation.escalations_record(
            at_risk=result.at_risk, breached=result.breached, moved=moved, now=now
        )
    if refresh_risk:
        result.risk_updated = breach_risk_refresh(now=now)
    return result
