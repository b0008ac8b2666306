"""Business-time arithmetic: pure functions over a plain `Calendar`, no ORM.

A calendar is weekly opening hours in a time zone plus holidays (local dates). Business time is the
real time elapsed while the calendar is open, so an hour that daylight saving skips or repeats
counts as it really passes: an `00:00`-`24:00` day lasts 23 or 25 hours on a DST change."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Far enough for any SLA target; a calendar open less often than this is a configuration error.
MAX_DAYS = 3 * 366

Interval = tuple[time, time | None]  # end None = midnight at the end of the day ("24:00")


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    # Index 0 = Monday; each day a tuple of non-overlapping (start, end) local times.
    weekly: tuple[tuple[Interval, ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    always_open: bool = False


ALWAYS_OPEN = Calendar(always_open=True)


def _parse_time(value: str) -> time | None:
    hours, _, minutes = str(value).strip().partition(":")
    h, m = int(hours), int(minutes or 0)
    if (h, m) == (24, 0):
        return None
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"'{value}' is not a time of day (HH:MM, 00:00-24:00).")
    return time(h, m)


def parse_hours(hours: Mapping) -> tuple[tuple[Interval, ...], ...]:
    """`{"0": [["09:00", "17:00"]], ...}` (0 = Monday) → weekly intervals, sorted and checked."""
    week: list[tuple[Interval, ...]] = []
    for day in range(7):
        raw = hours.get(str(day), hours.get(day, [])) or []
        intervals: list[Interval] = []
        for pair in raw:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"Day {day}: each interval is [start, end], got {pair!r}.")
            try:
                start, end = _parse_time(pair[0]), _parse_time(pair[1])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"Day {day}: {exc}") from exc
            if start is None:
                raise ValueError(f"Day {day}: an interval cannot start at 24:00.")
            if end is not None and end <= start:
                raise ValueError(f"Day {day}: {pair[0]}-{pair[1]} ends before it starts.")
            intervals.append((start, end))
        intervals.sort(key=lambda i: i[0])
        for (_, prev_end), (next_start, _) in zip(intervals, intervals[1:], strict=False):
            if prev_end is None or prev_end > next_start:
                raise ValueError(f"Day {day}: intervals overlap.")
        week.append(tuple(intervals))
    return tuple(week)


def calendar_build(
    *, timezone: str = "UTC", hours: Mapping | None = None, holidays=(), is_24x7: bool = False
) -> Calendar:
    """A calendar from stored values. No hours at all means open around the clock."""
    tz = ZoneInfo(timezone)
    weekly = parse_hours(hours or {})
    if is_24x7 or not any(weekly):
        return Calendar(tz=tz, always_open=True)
    return Calendar(tz=tz, weekly=weekly, holidays=frozenset(holidays))


def _local_bound(day: date, moment: time | None, tz: ZoneInfo) -> datetime:
    if moment is None:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def open_intervals(calendar: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open periods (UTC) in order, from the local day containing `start` onwards."""
    day = start.astimezone(calendar.tz).date()
    for offset in range(MAX_DAYS):
        current = day + timedelta(days=offset)
        if current in calendar.holidays:
            continue
        for begin, end in calendar.weekly[current.weekday()]:
            lo, hi = (
                _local_bound(current, begin, calendar.tz),
                _local_bound(current, end, calendar.tz),
            )
            if hi > lo:  # a period inside a skipped DST hour has no length
                yield lo, hi
    raise ValueError("The calendar has no business hours within three years.")


def business_add(calendar: Calendar, start: datetime, seconds: float) -> datetime:
    """The moment `seconds` of business time after `start` (seconds >= 0)."""
    if seconds < 0:
        raise ValueError("business_add counts forward only.")
    if calendar.always_open:
        return start + timedelta(seconds=seconds)
    remaining = timedelta(seconds=seconds)
    for lo, hi in open_intervals(calendar, start):
        if hi <= start:
            continue
        lo = max(lo, start)
        if lo + remaining <= hi:
            return (lo + remaining).astimezone(start.tzinfo or UTC)
        remaining -= hi - lo
    raise AssertionError("unreachable")  # open_intervals raises first


def business_seconds(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Business time between two moments, in seconds; negative when `end` is before `start`."""
    if end < start:
        return -business_seconds(calendar, end, start)
    if calendar.always_open:
        return (end - start).total_seconds()
    total = timedelta()
    for lo, hi in open_intervals(calendar, start):
        if lo >= end:
            break
        if hi <= start:
            continue
        total += min(hi, end) - max(lo, start)
    return total.total_seconds()
