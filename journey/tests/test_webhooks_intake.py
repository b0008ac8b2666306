"""The ingestion webhook's intake: inline or deferred, exactly one ticket under a race of
identical posts, and the same checks under ASGI (the rest is in test_webhooks.py)."""

import json
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from tickets.models import Ticket, TicketEvent

from .webhook_helpers import URL, assert_nothing_stored, payload, post, post_raw, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # integrations have no CSRF token


def test_a_failing_inline_intake_leaves_no_partial_rows(client, monkeypatch, settings):
    from journey import pipeline

    settings.HELPDESK_INGEST_DEFERRED = False

    def explode(**kwargs):
        raise RuntimeError("routing blew up")

    monkeypatch.setattr(pipeline, "ticket_intake", explode)
    client.raise_request_exception = False
    response = post(client, payload())
    assert response.status_code == 500
    assert_nothing_stored()


def test_deferred_intake_routes_the_ticket_right_after_commit(
    client, django_capture_on_commit_callbacks, settings
):
    settings.HELPDESK_INGEST_DEFERRED = True
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, payload())
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    ticket = Ticket.objects.get(pk=response.json()["ticket_id"])
    assert ticket.events.filter(kind="routed").count() == 1
    assert ticket.routing_reason


def test_deferred_intake_runs_once_and_a_failure_loses_nothing(client, monkeypatch, settings):
    settings.HELPDESK_INGEST_DEFERRED = True
    from journey import pipeline
    from journey.services import ticket_intake_once

    real_intake = pipeline.ticket_intake

    def explode(**kwargs):
        raise RuntimeError("routing blew up")

    monkeypatch.setattr(pipeline, "ticket_intake", explode)
    response = post(client, payload())  # the task is not run: the request must not depend on it
    assert response.status_code == 201
    ticket_id = response.json()["ticket_id"]
    with pytest.raises(RuntimeError):
        ticket_intake_once(ticket_id=ticket_id)
    assert Ticket.objects.filter(pk=ticket_id, status="open").exists()  # stored, not lost

    monkeypatch.setattr(pipeline, "ticket_intake", real_intake)
    assert ticket_intake_once(ticket_id=ticket_id) is True  # the retry routes it
    assert ticket_intake_once(ticket_id=ticket_id) is False  # a repeat does nothing
    assert TicketEvent.objects.filter(ticket_id=ticket_id, kind="routed").count() == 1


# --- the idempotency race -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_identical_posts_make_one_ticket():
    cache.clear()
    threads_count = 50
    raw = json.dumps(payload(external_id="race-1")).encode()
    barrier = threading.Barrier(threads_count)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker():
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = post_raw(client, raw)
            with lock:
                results.append((response.status_code, response.json().get("ticket_id")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert len(results) == threads_count
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1 and statuses.count(200) == threads_count - 1, statuses
    assert len({ticket_id for _, ticket_id in results}) == 1
    assert Ticket.objects.filter(external_id="race-1").count() == 1
    assert TicketEvent.objects.filter(kind="created").count() == 1


def test_webhook_under_asgi_reads_the_same_raw_body(settings):
    """daphne serves the same view through ASGI; the size check and signature work there too."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    raw = json.dumps(payload(external_id="asgi-1")).encode()
    client = AsyncClient()
    headers = {"X-Helpdesk-Signature": sign(raw)}

    async def send():
        return await client.generic(
            "POST", URL, raw, content_type="application/json", headers=headers
        )

    response = async_to_sync(send)()
    assert response.status_code == 201, response.content
    settings.HELPDESK_WEBHOOK_MAX_BYTES = 50
    too_big = async_to_sync(send)()
    assert too_big.status_code == 413
    assert Ticket.objects.filter(external_id="asgi-1").count() == 1
