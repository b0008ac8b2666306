"""Business-time arithmetic: pure functions, no database."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import ALWAYS_OPEN, business_add, business_seconds, calendar_build, parse_hours

WEEKDAYS_9_17 = {str(d): [["09:00", "17:00"]] for d in range(5)}
ALL_DAY = {str(d): [["00:00", "24:00"]] for d in range(7)}
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz, *args) -> datetime:
    return datetime(*args, tzinfo=tz)


def test_24x7_adds_wall_clock_time():
    start = utc(2026, 3, 7, 23, 30)
    assert business_add(ALWAYS_OPEN, start, 90 * 60) == utc(2026, 3, 8, 1, 0)
    assert business_seconds(ALWAYS_OPEN, start, utc(2026, 3, 8, 1, 0)) == 5400


def test_no_hours_configured_means_around_the_clock():
    assert calendar_build(timezone="Europe/Berlin", hours={}).always_open
    assert calendar_build(hours=WEEKDAYS_9_17, is_24x7=True).always_open


def test_friday_afternoon_carries_over_the_weekend():
    cal = calendar_build(hours=WEEKDAYS_9_17)
    # 2026-11-27 is a Friday: one hour left today, one more on Monday.
    assert business_add(cal, utc(2026, 11, 27, 16, 0), 2 * 3600) == utc(2026, 11, 30, 10, 0)


def test_start_outside_hours_waits_for_opening():
    cal = calendar_build(hours=WEEKDAYS_9_17)
    assert business_add(cal, utc(2026, 11, 28, 10, 0), 30 * 60) == utc(2026, 11, 30, 9, 30)
    assert business_add(cal, utc(2026, 11, 26, 18, 0), 30 * 60) == utc(2026, 11, 27, 9, 30)
    assert business_add(cal, utc(2026, 11, 26, 6, 0), 0) == utc(2026, 11, 26, 9, 0)


def test_deadline_exactly_at_closing_stays_today():
    cal = calendar_build(hours=WEEKDAYS_9_17)
    assert business_add(cal, utc(2026, 11, 26, 9, 0), 8 * 3600) == utc(2026, 11, 26, 17, 0)


def test_holidays_are_skipped():
    cal = calendar_build(hours=WEEKDAYS_9_17, holidays=[date(2026, 11, 30), date(2026, 12, 1)])
    assert business_add(cal, utc(2026, 11, 27, 16, 0), 2 * 3600) == utc(2026, 12, 2, 10, 0)
    assert business_seconds(cal, utc(2026, 11, 27, 16, 0), utc(2026, 12, 2, 10, 0)) == 7200


def test_split_shift_with_lunch_break():
    cal = calendar_build(hours={"0": [["13:00", "17:00"], ["08:00", "12:00"]]})
    # Monday 2026-11-30: 11:00 + 2 h = 12:00 (1 h) then 13:00-14:00.
    assert business_add(cal, utc(2026, 11, 30, 11, 0), 2 * 3600) == utc(2026, 11, 30, 14, 0)
    # Next Monday after 7 h from 09:00: 3 h morning, 4 h afternoon.
    assert business_add(cal, utc(2026, 11, 30, 9, 0), 7 * 3600) == utc(2026, 11, 30, 17, 0)
    assert business_add(cal, utc(2026, 11, 30, 9, 0), 8 * 3600) == utc(2026, 12, 7, 9, 0)


def test_hours_are_local_to_the_calendar_time_zone():
    cal = calendar_build(timezone="America/New_York", hours=WEEKDAYS_9_17)
    # 13:00 UTC on Thursday 2026-11-26 is 08:00 EST: opening is 14:00 UTC.
    assert business_add(cal, utc(2026, 11, 26, 13, 0), 3600) == utc(2026, 11, 26, 15, 0)
    tokyo = calendar_build(timezone="Asia/Tokyo", hours=WEEKDAYS_9_17)
    # Friday 07:00 UTC = 16:00 JST; 2 h → Monday 10:00 JST = Monday 01:00 UTC.
    assert business_add(tokyo, utc(2026, 11, 27, 7, 0), 7200) == utc(2026, 11, 30, 1, 0)


def test_half_hour_offset_zone():
    cal = calendar_build(timezone="Asia/Kolkata", hours=WEEKDAYS_9_17)
    # 09:00 IST = 03:30 UTC.
    assert business_add(cal, utc(2026, 11, 26, 0, 0), 60) == utc(2026, 11, 26, 3, 31)


def test_dst_spring_forward_day_is_23_hours():
    cal = calendar_build(timezone="America/New_York", hours=ALL_DAY)
    start = local(NY, 2026, 3, 7, 12, 0)  # Saturday before the change (EST)
    due = business_add(cal, start, 24 * 3600)
    assert due == local(NY, 2026, 3, 8, 13, 0)  # wall clock shows 13:00 EDT
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    day = business_seconds(cal, local(NY, 2026, 3, 8, 0, 0), local(NY, 2026, 3, 9, 0, 0))
    assert day == 23 * 3600


def test_dst_autumn_back_day_is_25_hours():
    cal = calendar_build(timezone="Europe/Berlin", hours=ALL_DAY)
    day = business_seconds(
        cal, local(BERLIN, 2026, 10, 25, 0, 0), local(BERLIN, 2026, 10, 26, 0, 0)
    )
    assert day == 25 * 3600


def test_business_hours_across_spring_change_keep_local_opening():
    cal = calendar_build(timezone="America/New_York", hours=WEEKDAYS_9_17)
    # Friday 2026-03-06 16:00 EST (21:00 UTC) + 2 h → Monday 10:00 EDT = 14:00 UTC (not 15:00).
    assert business_add(cal, utc(2026, 3, 6, 21, 0), 7200) == utc(2026, 3, 9, 14, 0)


def test_business_hours_across_autumn_change_keep_local_opening():
    cal = calendar_build(timezone="America/New_York", hours=WEEKDAYS_9_17)
    # Friday 2026-10-30 16:00 EDT (20:00 UTC) + 2 h → Monday 10:00 EST = 15:00 UTC.
    assert business_add(cal, utc(2026, 10, 30, 20, 0), 7200) == utc(2026, 11, 2, 15, 0)


def test_period_inside_skipped_hour_has_no_length():
    cal = calendar_build(timezone="America/New_York", hours={"6": [["02:00", "03:00"]]})
    skipped = business_seconds(cal, utc(2026, 3, 8, 0, 0), utc(2026, 3, 9, 0, 0))
    normal = business_seconds(cal, utc(2026, 3, 15, 0, 0), utc(2026, 3, 16, 0, 0))
    assert (skipped, normal) == (0, 3600)


def test_repeated_hour_counts_twice():
    cal = calendar_build(timezone="America/New_York", hours={"6": [["00:00", "03:00"]]})
    # Sunday 2026-11-01: 00:00-03:00 local lasts 4 real hours.
    assert business_seconds(cal, utc(2026, 11, 1, 0, 0), utc(2026, 11, 2, 0, 0)) == 4 * 3600


def test_southern_hemisphere_dst():
    cal = calendar_build(timezone="Australia/Sydney", hours=ALL_DAY)
    # Sydney moves clocks back on 2026-04-05 (25 h day) and forward on 2026-10-04 (23 h day).
    tz = ZoneInfo("Australia/Sydney")
    assert business_seconds(cal, local(tz, 2026, 4, 5), local(tz, 2026, 4, 6)) == 25 * 3600
    assert business_seconds(cal, local(tz, 2026, 10, 4), local(tz, 2026, 10, 5)) == 23 * 3600


def test_business_seconds_is_negative_backwards():
    cal = calendar_build(hours=WEEKDAYS_9_17)
    assert business_seconds(cal, utc(2026, 11, 30, 10, 0), utc(2026, 11, 27, 16, 0)) == -7200


@pytest.mark.parametrize(
    "tz, hours, holidays",
    [
        ("UTC", WEEKDAYS_9_17, []),
        ("America/New_York", WEEKDAYS_9_17, [date(2026, 11, 26), date(2026, 12, 25)]),
        (
            "Europe/Berlin",
            {"0": [["08:00", "12:00"], ["13:00", "17:30"]], "5": [["10:00", "14:00"]]},
            [],
        ),
        ("Australia/Sydney", ALL_DAY, [date(2026, 1, 26)]),
        ("America/New_York", {"6": [["00:00", "03:00"]], "2": [["22:00", "24:00"]]}, []),
        ("Asia/Kolkata", WEEKDAYS_9_17, [date(2026, 3, 4)]),
    ],
)
def test_add_and_measure_agree(tz, hours, holidays):
    """For many random starts and amounts across a year of DST changes: measuring the business time
    up to the computed deadline gives back the amount, and the deadline is inside open hours."""
    cal = calendar_build(timezone=tz, hours=hours, holidays=holidays)
    rng = random.Random(f"{tz}{sorted(hours)}")
    for _ in range(400):
        start = utc(2026, 1, 1) + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        amount = rng.randrange(0, 72 * 3600, 60)
        due = business_add(cal, start, amount)
        assert due >= start
        assert business_seconds(cal, start, due) == amount
        if amount:
            # Just before the deadline the clock was running: the last minute counted.
            assert business_seconds(cal, due - timedelta(minutes=1), due) == 60
            assert due.astimezone(cal.tz).date() not in cal.holidays


@pytest.mark.parametrize(
    "hours, message",
    [
        ({"0": [["17:00", "09:00"]]}, "ends before it starts"),
        ({"0": [["09:00", "13:00"], ["12:00", "17:00"]]}, "overlap"),
        ({"0": [["25:00", "26:00"]]}, "not a time of day"),
        ({"0": [["09:00"]]}, "each interval"),
        ({"0": [["24:00", "24:00"]]}, "cannot start at 24:00"),
    ],
)
def test_bad_hours_are_rejected(hours, message):
    with pytest.raises(ValueError, match=message):
        parse_hours(hours)


def test_calendar_that_is_never_open_fails_clearly():
    cal = calendar_build(hours=WEEKDAYS_9_17)
    cal = cal.__class__(
        tz=cal.tz,
        weekly=cal.weekly,
        holidays=frozenset(date(2026, 1, 1) + timedelta(days=i) for i in range(4 * 366)),
    )
    with pytest.raises(ValueError, match="no business hours"):
        business_add(cal, utc(2026, 1, 1), 60)
