"""The filters every report accepts: a date range (`days` or `start`/`end`), queue, channel, agent.

Periods are whole UTC days: `days=30` is today and the 29 days before it; `start`/`end` are inclusive
dates (YYYY-MM-DD). Internally the range is half-open, [start, end).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from agents.models import Agent
from tickets.models import Channel, Queue, Ticket

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


class FilterError(Exception):
    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("Invalid report filters.")
        self.fields = fields


@dataclass(frozen=True)
class ReportFilters:
    start: datetime
    end: datetime
    queue: Queue | None = None
    channel: str = ""
    agent: Agent | None = None
    params: dict = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> "ReportFilters":
        """The period of the same length just before this one."""
        length = self.end - self.start
        return ReportFilters(
            start=self.start - length,
            end=self.start,
            queue=self.queue,
            channel=self.channel,
            agent=self.agent,
            params=self.params,
        )

    def scope_q(self, prefix: str = "") -> Q:
        """Queue, channel and agent, without the period."""
        q = Q()
        if self.queue is not None:
            q &= Q(**{f"{prefix}queue": self.queue})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        if self.agent is not None:
            q &= Q(**{f"{prefix}assigned_agent": self.agent})
        return q

    def tickets(self) -> QuerySet[Ticket]:
        """Tickets created in the period, within the scope."""
        return Ticket.objects.filter(
            self.scope_q(), created_at__gte=self.start, created_at__lt=self.end
        ).order_by()

    def scoped(self) -> QuerySet[Ticket]:
        return Ticket.objects.filter(self.scope_q()).order_by()

    def as_dict(self) -> dict:
        return {
            "start": self.start.date().isoformat(),
            "end": (self.end - timedelta(days=1)).date().isoformat(),
            "days": self.days,
            "queue": self.queue.slug if self.queue else None,
            "channel": self.channel or None,
            "agent": self.agent.pk if self.agent else None,
        }


def _is_id(value: str) -> bool:
    """A primary key the database can hold (bigint), not just any string of digits."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _parse_date(value: str, name: str, errors: dict) -> date | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = ["Use a date as YYYY-MM-DD."]
        return None
    if not 1970 <= day.year <= 9000:  # keeps the previous period and end + 1 day in range
        errors[name] = ["A date between 1970 and 9000."]
        return None
    return day


def _parse_period(params, errors: dict, today: date) -> tuple[datetime, datetime]:
    start_raw, end_raw, days_raw = params.get("start"), params.get("end"), params.get("days")
    if start_raw or end_raw:
        start_day = _parse_date(start_raw, "start", errors) if start_raw else None
        end_day = _parse_date(end_raw, "end", errors) if end_raw else today
        if start_raw and not start_day or end_day is None:
            return _midnight(today), _midnight(today)
        if start_day is None:
            start_day = end_day - timedelta(days=DEFAULT_DAYS - 1)
        if start_day > end_day:
            errors["start"] = ["The start is after the end."]
        elif (end_day - start_day).days + 1 > MAX_DAYS:
            errors["end"] = [f"The period is longer than {MAX_DAYS} days."]
        return _midnight(start_day), _midnight(end_day + timedelta(days=1))
    days = DEFAULT_DAYS
    if days_raw not in (None, ""):
        try:
            days = int(days_raw)
        except ValueError:
            errors["days"] = ["A whole number of days."]
            days = DEFAULT_DAYS
        else:
            if not 1 <= days <= MAX_DAYS:
                errors["days"] = [f"Between 1 and {MAX_DAYS}."]
                days = DEFAULT_DAYS
    end = _midnight(today + timedelta(days=1))
    return end - timedelta(days=days), end


def filters_parse(params, *, today: date | None = None) -> ReportFilters:
    """Read the filters from query parameters; raise FilterError with every bad field."""
    errors: dict[str, list[str]] = {}
    for key in ("days", "start", "end", "queue", "channel", "agent"):
        value = params.get(key) or ""
        if "\x00" in value or len(value) > 100:
            errors[key] = ["Not a valid value."]
    if errors:
        raise FilterError(errors)
    today = today or timezone.now().astimezone(UTC).date()
    start, end = _parse_period(params, errors, today)
    queue = None
    if params.get("queue"):
        value = params["queue"]
        lookup = Q(slug=value) | Q(pk=int(value)) if _is_id(value) else Q(slug=value)
        queue = Queue.objects.filter(lookup).first()
        if queue is None:
            errors["queue"] = ["No such queue."]
    channel = params.get("channel") or ""
    if channel and channel not in Channel.values:
        errors["channel"] = [f"One of {', '.join(Channel.values)}."]
    agent = None
    if params.get("agent"):
        value = params["agent"]
        agent = Agent.objects.filter(pk=int(value)).first() if _is_id(value) else None
        if agent is None:
            errors["agent"] = ["No such agent (use the agent id)."]
    if errors:
        raise FilterError(errors)
    kept = {key: params.get(key) for key in ("days", "start", "end", "queue", "channel", "agent")}
    return ReportFilters(
        start=start,
        end=end,
        queue=queue,
        channel=channel,
        agent=agent,
        params={key: value for key, value in kept.items() if value},
    )
