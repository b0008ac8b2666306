"""Fault: PostgreSQL restarts under load. gunicorn (production settings, persistent connections
with health checks) on a private cluster and a private Redis; a client posts webhooks without
pause while the cluster stops (`pg_ctl -m fast`, which ends every session) and starts again.
Intake runs inline here (HELPDESK_INGEST_DEFERRED=0), so each 201 wrote the ticket, its events
and its routing in one transaction: the place a half-written ticket would show."""

import threading
import time

import psycopg
import pytest

from tests.processes import stop

from .servers import PrivateCluster, PrivateRedis, manage, start_gunicorn, web_env, webhook

DOWN = 3.0  # seconds the cluster stays stopped


@pytest.mark.slow
def test_requests_in_flight_get_503_and_the_service_recovers_without_a_restart(tmp_path):
    cluster, private_redis = PrivateCluster().init(), PrivateRedis().start()
    env = web_env(
        database_url=cluster.url(), redis_url=private_redis.url(), HELPDESK_INGEST_DEFERRED="0"
    )
    web = None
    answers: list[tuple[str, int, str]] = []
    try:
        manage(env, "migrate", "--noinput")
        web, base = start_gunicorn(env, tmp_path / "web.log")
        running = threading.Event()
        running.set()

        def client() -> None:
            n = 0
            while running.is_set():
                code, retry_after = webhook(base, f"load-{n}")
                answers.append((f"load-{n}", code, retry_after))
                n += 1

        thread = threading.Thread(target=client)
        thread.start()
        time.sleep(2)
        cluster.stop()
        time.sleep(DOWN)
        cluster.start()
        time.sleep(3)
        running.clear()
        thread.join(timeout=30)
        after = [webhook(base, f"after-{n}")[0] for n in range(5)]
        retries = {key: webhook(base, key)[0] for key, code, _ in answers if code == 503}
        with psycopg.connect(cluster.url()) as db:
            stored = dict(
                db.execute(
                    "select external_id, (queue_id is not null and not intake_pending)"
                    " from tickets_ticket"
                ).fetchall()
            )
            created_events = dict(
                db.execute(
                    "select t.external_id, count(*) from tickets_ticketevent e"
                    " join tickets_ticket t on t.id = e.ticket_id where e.kind = 'created'"
                    " group by t.external_id"
                ).fetchall()
            )
    finally:
        if web is not None:
            stop(web)
        cluster.close()
        private_redis.close()
    log = (tmp_path / "web.log").read_text()[-4000:]
    codes = [code for _, code, _ in answers]
    assert codes.count(201) > 10 and 503 in codes, (codes, log)
    assert set(codes) <= {201, 503}, log  # never a 500 or a dropped connection
    assert {retry_after for _, code, retry_after in answers if code == 503} == {"5"}
    assert after == [201] * 5  # the same gunicorn, no restart
    assert set(retries.values()) <= {200, 201}  # a 503's retry stores it (or finds it stored)
    for key, code, _ in answers:
        if code == 201:
            assert stored.get(key) is True, key
    assert all(stored.values()), "a ticket stored without its routing"
    assert set(created_events) == set(stored) and set(created_events.values()) == {1}
    print(f"{codes.count(201)} x 201, {codes.count(503)} x 503 around a {DOWN:.0f} s restart")
