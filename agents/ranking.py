"""The learned score that orders eligible agents: how well and how fast each agent has solved
tickets of this queue/category (aggregated in SQL from Ticket and TicketEvent history), minus
their current workload, plus a UCB1 exploration bonus so agents without a record get tickets
until they have one.

    rate      = (successes + 1) / (outcomes + 2)        Beta(1, 1) prior; success = resolved, not
                                                        reopened; failures = reopenings and
                                                        reassignments away from the agent
    speed     = g / (g + a)                             a = agent's mean hours to resolve, g = all
                                                        agents' mean in the same queue/category
    explore   = C * sqrt(ln(N + 1) / (outcomes + 1))    N = outcomes of all agents there
    load      = open tickets / max_tickets
    score     = W_RATE * rate + W_SPEED * speed + explore - W_LOAD * load
"""

import math
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from tickets.models import Ticket, TicketEvent

from .eligibility import Candidate
from .workload import agent_loads

W_RATE = 0.7
W_SPEED = 0.3
W_LOAD = 0.3
EXPLORATION_C = 0.3
HISTORY_DAYS = 180

# Per-process cache of history per (queue, category): (expires at, value). Process-local on
# purpose: a decision then needs no network round trip, and the value is cheap to rebuild.
_HISTORY: dict[tuple[int | None, int | None], tuple[float, dict]] = {}


@dataclass
class AgentHistory:
    resolved: int = 0
    reopened: int = 0
    reassigned_away: int = 0
    avg_hours: float | None = None

    @property
    def outcomes(self) -> int:
        return self.resolved + self.reassigned_away

    @property
    def successes(self) -> int:
        return max(self.resolved - self.reopened, 0)


@dataclass
class Score:
    agent_id: int
    score: float
    rate: float
    speed: float
    explore: float
    load: float
    open_tickets: int
    outcomes: int

    def as_data(self) -> dict:
        return {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in asdict(self).items()
        }


def _hours(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3_600_000_000  # SQLite returns microseconds


def _history_from_db(queue_id: int | None, category_id: int | None) -> dict[int, AgentHistory]:
    since = timezone.now() - timedelta(days=HISTORY_DAYS)
    tickets = Ticket.objects.filter(
        queue_id=queue_id,  # type: ignore[misc]  # None: the tickets without a queue
        assigned_agent__isnull=False,
        created_at__gte=since,
    )
    reassigned = TicketEvent.objects.filter(
        kind="reassigned", field="assigned_agent", created_at__gte=since, data__queue_id=queue_id
    )
    if category_id:
        tickets = tickets.filter(category_id=category_id)
        reassigned = reassigned.filter(data__category_id=category_id)
    duration = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    rows = tickets.values("assigned_agent_id").annotate(
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        reopened=Count("id", filter=Q(reopened_count__gt=0)),
        avg_duration=Avg(duration, filter=Q(resolved_at__isnull=False)),
    )
    history: dict[int, AgentHistory] = {}
    for row in rows:
        history[row["assigned_agent_id"]] = AgentHistory(
            resolved=row["resolved"],
            reopened=row["reopened"],
            avg_hours=_hours(row["avg_duration"]),
        )
    away = reassigned.values("data__from_agent_id").annotate(n=Count("id"))
    for moved in away:
        agent_id = moved["data__from_agent_id"]
        if agent_id is None:
            continue
        history.setdefault(int(agent_id), AgentHistory()).reassigned_away = moved["n"]
    return history


def agent_history(*, queue_id: int | None, category_id: int | None) -> dict[int, AgentHistory]:
    """Per-agent history for one queue/category, cached briefly: it changes slowly, and the
    live part of the score (workload) is counted fresh on every decision."""
    ttl = getattr(settings, "HELPDESK_ASSIGNMENT_STATS_TTL", 30)
    if not ttl:
        return _history_from_db(queue_id, category_id)
    key = (queue_id, category_id)
    cached = _HISTORY.get(key)
    now = time.monotonic()
    if cached is None or cached[0] < now:
        cached = (now + ttl, _history_from_db(queue_id, category_id))
        _HISTORY[key] = cached
    return cached[1]


def history_forget(*, queue_id: int | None, category_id: int | None) -> None:
    """Drop this process's cached history (e.g. right after a reassignment)."""
    _HISTORY.pop((queue_id, category_id), None)


def score_agent(
    *,
    agent_id: int,
    history: AgentHistory,
    open_tickets: int,
    max_tickets: int,
    total_outcomes: int,
    global_avg_hours: float | None,
) -> Score:
    rate = (history.successes + 1) / (history.outcomes + 2)
    if history.avg_hours is not None and global_avg_hours:
        speed = global_avg_hours / (global_avg_hours + max(history.avg_hours, 0.0))
    else:
        speed = 0.5
    explore = EXPLORATION_C * math.sqrt(math.log(total_outcomes + 1) / (history.outcomes + 1))
    load = open_tickets / max_tickets if max_tickets else 1.0
    total = W_RATE * rate + W_SPEED * speed + explore - W_LOAD * load
    return Score(
        agent_id=agent_id,
        score=total,
        rate=rate,
        speed=speed,
        explore=explore,
        load=load,
        open_tickets=open_tickets,
        outcomes=history.outcomes,
    )


def rank_agents(
    *, agents: list[Candidate], queue_id: int | None, category_id: int | None
) -> list[Score]:
    """Eligible agents, best first. Agents already at capacity are left out."""
    if not agents:
        return []
    history = agent_history(queue_id=queue_id, category_id=category_id)
    counts = {agent.pk: agent.load for agent in agents if agent.load is not None}
    uncounted = [agent.pk for agent in agents if agent.load is None]
    if uncounted:
        counts.update(agent_loads(uncounted))
    total_outcomes = sum(item.outcomes for item in history.values())
    timed = [(h.avg_hours, h.resolved) for h in history.values() if h.avg_hours is not None]
    weight = sum(n for _, n in timed)
    global_avg = sum(hours * n for hours, n in timed) / weight if weight else None
    scores = [
        score_agent(
            agent_id=agent.pk,
            history=history.get(agent.pk, AgentHistory()),
            open_tickets=counts.get(agent.pk, 0),
            max_tickets=agent.max_tickets,
            total_outcomes=total_outcomes,
            global_avg_hours=global_avg,
        )
        for agent in agents
        if counts.get(agent.pk, 0) < agent.max_tickets
    ]
    scores.sort(key=lambda s: (-s.score, s.open_tickets, s.agent_id))
    return scores
