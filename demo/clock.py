"""A settable clock for seeding history.

The ticket services stamp every event and comment with `timezone.now()`. To make a demo whose
history spans 30 days (so reports, SLA figures and the timeline look real) the seeder runs those
same services with `django.utils.timezone.now` pointed at a chosen moment. Demo seeding only."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, delta: timedelta) -> datetime:
        self.now = min(self.now + delta, _real_now())
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = min(moment, _real_now())
        return self.now


_real_now = timezone.now


@contextmanager
def frozen_clock(start: datetime) -> Iterator[Clock]:
    clock = Clock(start)
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock.now):
        yield clock
