"""Who may take a ticket: the rules of assignment as a queryset plus two pure checks.

Queue membership, skill, kind and availability are filtered in SQL. Working hours (a JSON
schedule in each agent's own time zone) and language codes are checked in Python on the
few agents that remain; workload is counted in SQL by `agents.ranking`."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Exists, OuterRef, Q, QuerySet

from tickets.models import Ticket

from .models import Agent, AgentKind


def language_code(value: str | None) -> str:
    """'de_DE', 'de-de' and 'DE' are all 'de'."""
    return (value or "").replace("_", "-").split("-")[0].strip().lower()


def speaks(languages: list | None, language: str | None) -> bool:
    """An empty ticket language matches anyone; an agent with no languages listed speaks any."""
    wanted = language_code(language)
    if not wanted or not languages:
        return True
    return wanted in {language_code(lang) for lang in languages}


def _parse(value: str) -> time | None:
    """'09:30' → 09:30; '24:00' → None (end of day)."""
    hours, minutes = (int(part) for part in value.split(":"))
    if hours == 24 and minutes == 0:
        return None
    return time(hours, minutes)


def _in_interval(now: time, start: str, end: str) -> tuple[bool, bool]:
    """(inside today's part, the interval runs past midnight)."""
    start_t, end_t = _parse(start) or time(0, 0), _parse(end)
    if end_t is None:
        return now >= start_t, False
    if end_t > start_t:
        return start_t <= now < end_t, False
    return now >= start_t, True  # overnight: the rest is checked on the next day


def is_working(working_hours: dict | None, tz_name: str, at: datetime) -> bool:
    """Is `at` inside one of the agent's intervals, read in the agent's own time zone?

    `working_hours` maps weekday ("0" = Monday) to [[start, end], ...]; "24:00" ends a day and
    an interval whose end is before its start runs past midnight into the next day."""
    if not working_hours:
        return False
    try:
        zone = ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = at.astimezone(zone)
    now = local.time()
    try:
        for start, end in working_hours.get(str(local.weekday()), []):
            inside, _ = _in_interval(now, start, end)
            if inside:
                return True
        yesterday = str((local - timedelta(days=1)).weekday())
        for start, end in working_hours.get(yesterday, []):
            _, overnight = _in_interval(now, start, end)
            if overnight and now < (_parse(end) or time(0, 0)):
                return True
    except (TypeError, ValueError):  # a malformed schedule makes the agent unavailable, not a 500
        return False
    return False


def ticket_required_skill_id(ticket: Ticket) -> int | None:
    if ticket.required_skill_id:
        return ticket.required_skill_id
    return ticket.queue.required_skill_id if ticket.queue else None


def eligible_agents_qs(*, ticket: Ticket, kind: str = AgentKind.HUMAN) -> QuerySet[Agent]:
    """Available agents of `kind` in the ticket's queue with the required skill (SQL part)."""
    agents = Agent.objects.filter(kind=kind, is_available=True)
    if ticket.queue_id:
        member = Agent.queues.through.objects.filter(
            agent_id=OuterRef("pk"), queue_id=ticket.queue_id
        )
        agents = agents.filter(Q(all_queues=True) | Exists(member))
    skill_id = ticket_required_skill_id(ticket)
    if skill_id:
        skilled = Agent.skills.through.objects.filter(agent_id=OuterRef("pk"), skill_id=skill_id)
        agents = agents.filter(Exists(skilled))
    return agents


@dataclass(frozen=True, slots=True)
class Candidate:
    pk: int
    max_tickets: int
    load: int | None  # stored open-ticket count (agents.AgentLoad); None: never counted yet


def eligible_agents(*, ticket: Ticket, at: datetime) -> list[Candidate]:
    """Every rule: the SQL part (with each agent's stored load, in the same query), then language
    and working hours on the remaining rows."""
    rows = (
        eligible_agents_qs(ticket=ticket)
        .order_by("pk")
        .values_list(
            "pk", "languages", "timezone", "working_hours", "max_tickets", "load__open_tickets"
        )
    )
    return [
        Candidate(pk=pk, max_tickets=max_tickets, load=load)
        for pk, languages, tz_name, hours, max_tickets, load in rows
        if speaks(languages, ticket.language) and is_working(hours, tz_name, at)
    ]
