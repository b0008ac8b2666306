"""End to end: tickets posted to the webhook in bursts, with the production ring memo, are all
taken in by a real Celery worker (a subprocess on Redis) woken by the doorbell. The race the
memo opens (a drain finishing inside the memo window) is too narrow to provoke here; its unit
test is in test_intake_drain.py."""

import time

import pytest
from django.db import connection
from django.test import Client

from helpdesk.celery import app as celery_app
from journey import doorbell as intake
from tests.processes import celery_env, start_celery, stop
from tickets.models import Ticket

from .webhook_helpers import payload, post


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_burst_through_the_webhook_is_routed_by_a_worker_with_the_ring_memo(
    settings, monkeypatch, tmp_path
):
    import redis

    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a server database")
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # this run's broker and cache db only
    settings.HELPDESK_INGEST_DEFERRED = True
    settings.HELPDESK_INTAKE_RING_MEMO = 0.05  # the production default
    monkeypatch.setattr(intake, "_rung_at", float("-inf"))
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # publish to Redis, for the worker
    worker = start_celery(
        ["worker", "--pool=solo", "--loglevel=INFO"], celery_env(), tmp_path / "worker.log"
    )
    client = Client()
    try:
        time.sleep(2)  # let the worker connect (a task sent before waits in Redis anyway)
        rings = []
        add = intake.cache.add
        monkeypatch.setattr(intake.cache, "add", lambda *a, **k: rings.append(1) or add(*a, **k))
        for burst in range(3):
            for n in range(10):  # ten posts well within one memo window: most skip the ring
                assert post(client, payload(external_id=f"burst-{burst}-{n}")).status_code == 201
            time.sleep(0.3)
        deadline = time.monotonic() + 60
        while Ticket.objects.filter(intake_pending=True).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        celery_app.conf.task_always_eager = eager
        stop(worker)
    log = (tmp_path / "worker.log").read_text()[-3000:]
    assert Ticket.objects.count() == 30
    assert not Ticket.objects.filter(intake_pending=True).exists(), log
    assert Ticket.objects.filter(queue__isnull=False).count() == 30
    assert len(rings) < 30  # the memo did skip rings, and nothing was left waiting
