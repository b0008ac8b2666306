"""Fault: Redis (Celery's broker, the cache behind throttles and the intake doorbell, the
channel layer) dies during intake and comes back empty. gunicorn in production settings on the
test database and a private Redis; a Celery worker starts when Redis is back.

The outage lasts OUTAGE seconds, not the issue's 30: what a request meets is the same from the
first refused connection to the last (redis-py fails at once on a closed port and nothing in the
app counts how long Redis has been gone; kombu's publish retries give up within a second), so a
longer outage only repeats the same requests. The doorbell key's 10 s TTL is moot: the restarted
Redis has no keys at all."""

import time

import pytest

from tests.processes import start_celery, stop, test_database_url
from tickets.models import Ticket

from .servers import PrivateRedis, start_gunicorn, web_env, webhook

OUTAGE = 5.0  # seconds


def post_webhook(base: str, external_id: str) -> int:
    return webhook(base, external_id)[0]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_intake_answers_201_through_a_redis_outage_and_catches_up(tmp_path):
    private = PrivateRedis().start()
    env = web_env(database_url=test_database_url(), redis_url=private.url())
    web, base = start_gunicorn(env, tmp_path / "web.log")
    worker = None
    answers: dict[str, int] = {}
    try:
        for n in range(5):
            answers[f"before-{n}"] = post_webhook(base, f"before-{n}")
        private.stop()
        down_until, n = time.monotonic() + OUTAGE, 0
        while time.monotonic() < down_until:
            answers[f"during-{n}"] = post_webhook(base, f"during-{n}")
            n += 1
            time.sleep(0.05)  # a steady stream, not a flood the worker needs minutes to route
        private.start()
        worker = start_celery(["worker", "--pool=solo", "--loglevel=INFO"], env, tmp_path / "w.log")
        for n in range(5):
            answers[f"after-{n}"] = post_webhook(base, f"after-{n}")
        retried = {key: post_webhook(base, key) for key in ("before-0", "during-0", "after-0")}
        deadline = time.monotonic() + 120
        while Ticket.objects.filter(intake_pending=True).exists() and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        if worker is not None:
            stop(worker)
        stop(web)
        private.close()
    log = (tmp_path / "web.log").read_text()[-4000:]
    during = [key for key in answers if key.startswith("during-")]
    assert len(during) >= 10, log
    assert {key: code for key, code in answers.items() if code != 201} == {}, log
    assert set(retried.values()) == {200}  # a client's retry stores nothing twice
    assert Ticket.objects.count() == len(answers)
    assert set(Ticket.objects.values_list("external_id", flat=True)) == set(answers)
    assert not Ticket.objects.filter(intake_pending=True).exists()
    assert not Ticket.objects.filter(queue__isnull=True).exists()
