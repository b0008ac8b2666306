"""End to end: a real Celery beat (database scheduler) and worker on Redis escalate a ticket on
schedule. Both run as subprocesses against the test database."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.processes import celery_env, start_celery, stop
from tickets.models import Comment, Status, Ticket, TicketEvent
from tickets.tests.factories import TicketFactory


def _wait_for_level(ticket, level: int, timeout: float = 40) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Ticket.objects.filter(pk=ticket.pk, escalation_level__gte=level).exists():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_escalate_a_ticket_on_schedule(queue, tmp_path):
    import redis
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if connection.vendor != "postgresql":
        pytest.skip("the subprocesses need a server database")
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # this run's broker db only
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="sla: monitor",
        defaults={"task": "sla.tasks.sla_monitor", "interval": every_second, "enabled": True},
    )
    PeriodicTask.objects.exclude(name="sla: monitor").update(enabled=False)
    ticket = TicketFactory(
        queue=queue,
        status=Status.ASSIGNED,
        sla_resolution_due=timezone.now() + timedelta(minutes=10),  # inside the 30-min window
    )

    env = celery_env()
    worker = start_celery(
        ["worker", "--pool=solo", "--loglevel=INFO"], env, tmp_path / "worker.log"
    )
    beat = start_celery(
        [
            "beat",
            "-S",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval",
            "1",
            "--loglevel=INFO",
            "--pidfile=",
            f"--schedule={tmp_path / 'beat-schedule'}",
        ],
        env,
        tmp_path / "beat.log",
    )
    try:
        at_risk = _wait_for_level(ticket, 1)
        due = timezone.now() + timedelta(seconds=3)
        Ticket.objects.filter(pk=ticket.pk).update(sla_resolution_due=due)
        breached = _wait_for_level(ticket, 2)
    finally:
        stop(beat)
        stop(worker)
    logs = "\n".join(p.read_text()[-3000:] for p in tmp_path.glob("*.log"))
    assert at_risk and breached, logs
    current = Ticket.objects.get(pk=ticket.pk)
    assert (current.escalation_level, current.status) == (2, Status.ESCALATED)
    events = TicketEvent.objects.filter(ticket=ticket, kind="escalated").order_by("created_at")
    assert [e.after for e in events] == [1, 2]
    assert events[1].created_at >= due  # not before the deadline
    assert Comment.objects.filter(ticket=ticket, author_kind="system").count() == 2
