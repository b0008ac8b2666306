"""The ingestion fast path with a deferred intake: one statement per new ticket, the database as
the work list, the doorbell that wakes a worker, and the drain that routes what waits."""

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from journey import doorbell as intake
from journey import pipeline
from journey.services import ticket_ingest, ticket_intake_drain
from journey.tasks import ticket_intake_drain as drain_task
from tickets.models import Ticket, TicketEvent
from tickets.services import ticket_store
from tickets.tests.factories import UserFactory

from .webhook_helpers import payload, post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deferred(settings):
    settings.HELPDESK_INGEST_DEFERRED = True
    cache.clear()


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def drains(monkeypatch):
    """Count the drain tasks published instead of running them."""
    sent = []
    monkeypatch.setattr(drain_task, "delay", lambda *a, **k: sent.append(1))
    return sent


def stored(n: int, **overrides) -> list[Ticket]:
    return [
        ticket_ingest(
            subject=f"Refund for order {i}",
            body="I was charged twice.",
            channel="email",
            customer_email=f"c{i}@example.com",
            external_id=f"drain-{i}",
            **overrides,
        ).ticket
        for i in range(n)
    ]


def test_a_new_ticket_and_a_retry_cost_one_statement_each(client, drains):
    with CaptureQueriesContext(connection) as new:
        assert post(client, payload(external_id="one-trip")).status_code == 201
    with CaptureQueriesContext(connection) as retry:
        again = post(client, payload(external_id="one-trip"))
    assert again.status_code == 200
    assert len(new.captured_queries) == 1, [q["sql"][:80] for q in new.captured_queries]
    assert len(retry.captured_queries) == 1
    ticket = Ticket.objects.get()
    assert ticket.intake_pending and ticket.status == "open" and ticket.queue is None
    assert again.json()["ticket_id"] == str(ticket.pk)
    created = TicketEvent.objects.get(ticket=ticket)
    assert (created.kind, created.after, created.data) == ("created", "open", {"channel": "email"})
    assert created.created_at == ticket.created_at


def test_the_fast_path_stores_the_same_ticket_as_the_orm_path(settings):
    settings.HELPDESK_INGEST_DEFERRED = True
    fields = dict(
        subject="Crash",
        body="It crashes.",
        channel="mobile",
        customer_email="x@example.com",
        context={"platform": "ios", "session_events": ["a", "b"]},
        language="de",
    )
    fast = ticket_ingest(external_id="fast", **fields).ticket
    slow = ticket_store(external_id="slow", **fields).ticket
    fast.subject = "Crash on start"
    fast.save()  # the returned instance behaves as a stored one (an UPDATE, not an INSERT)
    fast, slow = Ticket.objects.get(pk=fast.pk), Ticket.objects.get(pk=slow.pk)
    assert fast.subject == "Crash on start"
    fast.subject = slow.subject
    # search_vector: the database derives it from the subject, which differed until now
    skip = {"id", "external_id", "created_at", "updated_at", "intake_pending", "search_vector"}
    for field in Ticket._meta.concrete_fields:
        if field.name not in skip:
            assert getattr(fast, field.attname) == getattr(slow, field.attname), field.name
    assert fast.updated_at is not None and fast.intake_pending and not slow.intake_pending


def test_the_first_ring_publishes_one_drain_and_later_rings_nothing(drains):
    stored(5)
    intake.ring()  # the on-commit rings of a test transaction do not run; ring by hand
    intake.ring()
    assert len(drains) == 1
    intake.doorbell_clear()  # what a drain does before it looks for work
    intake.ring()
    assert len(drains) == 2


@pytest.fixture
def ring_memo(settings, monkeypatch):
    settings.HELPDESK_INTAKE_RING_MEMO = 0.05
    monkeypatch.setattr(intake, "_rung_at", float("-inf"))
    return settings


def test_within_the_ring_memo_a_process_does_not_ask_redis_again(drains, ring_memo, monkeypatch):
    asked = []
    add = intake.cache.add
    monkeypatch.setattr(intake.cache, "add", lambda *a, **k: asked.append(1) or add(*a, **k))
    clock = [1000.0]
    monkeypatch.setattr(intake, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    intake.ring()
    clock[0] += 0.01
    intake.ring()
    intake.doorbell_clear()
    intake.ring()  # within the memo even though the bell is gone: the drain that cleared it
    assert (len(asked), len(drains)) == (1, 1)  # ... looks again later (next test)
    clock[0] += 0.05
    intake.ring()
    assert (len(asked), len(drains)) == (2, 2)
    intake.ring(force=True)  # a drain handing over never skips
    assert (len(asked), len(drains)) == (3, 3)


def test_a_drain_looks_again_after_the_memo_and_takes_a_ticket_whose_ring_was_skipped(
    ring_memo, monkeypatch
):
    """The race the memo opens: a web process rang (the bell was set), a drain cleared the bell,
    found nothing and would stop; the process stores a ticket and skips its ring. The drain's
    second look, twice the memo later, takes it in."""
    first = stored(1)[0]
    slept = []

    def sleep(seconds):  # the ticket commits while the drain waits
        slept.append(seconds)
        ticket_ingest(
            subject="Refund please",
            body="Charged twice.",
            channel="email",
            customer_email="late@example.com",
            external_id="drain-late",
        )

    monkeypatch.setattr("journey.services.intake.time.sleep", sleep, raising=False)
    assert ticket_intake_drain() == 2
    assert slept == [0.1]
    assert not Ticket.objects.filter(intake_pending=True).exists()
    assert Ticket.objects.get(pk=first.pk).queue_id is not None


def test_without_the_memo_a_drain_stops_at_its_first_empty_look(monkeypatch):
    stored(1)
    monkeypatch.setattr(
        "journey.services.intake.time.sleep", lambda s: pytest.fail("slept"), raising=False
    )
    assert ticket_intake_drain() == 1


def test_a_dead_redis_never_fails_the_request_and_the_ticket_waits(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(intake.cache, "add", down)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post(client, payload(external_id="redis-down"))
    assert response.status_code == 201
    assert Ticket.objects.get().intake_pending  # the scheduled drain will take it


def test_the_drain_routes_waiting_tickets_oldest_first_and_links_customers(
    django_capture_on_commit_callbacks,
):
    carol = UserFactory(username="carol", email="C1@example.com")
    tickets = stored(3)
    Ticket.objects.filter(pk=tickets[2].pk).update(created_at=timezone.now() - timedelta(hours=1))
    seen = []
    real = pipeline.ticket_intake

    def spy(*, ticket, explicit_priority=False):
        seen.append(ticket.pk)
        real(ticket=ticket, explicit_priority=explicit_priority)

    pipeline.ticket_intake, saved = spy, real
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert ticket_intake_drain() == 3
    finally:
        pipeline.ticket_intake = saved
    assert seen == [tickets[2].pk, tickets[0].pk, tickets[1].pk]
    assert not Ticket.objects.filter(intake_pending=True).exists()
    assert TicketEvent.objects.filter(kind="routed").count() == 3
    assert Ticket.objects.get(pk=tickets[1].pk).customer == carol
    assert len(callbacks) >= 3  # ticket.created (and more) go out live after each commit
    assert ticket_intake_drain() == 0  # nothing left; a repeat routes nothing twice
    assert TicketEvent.objects.filter(kind="routed").count() == 3


def test_a_failing_ticket_stays_pending_and_the_others_go_through(monkeypatch):
    tickets = stored(3)
    real = pipeline.ticket_intake

    def flaky(*, ticket, explicit_priority=False):
        if ticket.pk == tickets[1].pk:
            raise RuntimeError("routing blew up")
        real(ticket=ticket, explicit_priority=explicit_priority)

    monkeypatch.setattr(pipeline, "ticket_intake", flaky)
    assert ticket_intake_drain() == 2
    assert list(Ticket.objects.filter(intake_pending=True)) == [tickets[1]]
    assert not TicketEvent.objects.filter(ticket=tickets[1], kind="routed").exists()
    monkeypatch.setattr(pipeline, "ticket_intake", real)
    assert ticket_intake_drain() == 1  # the next drain (or the minute's schedule) takes it in
    assert not Ticket.objects.filter(intake_pending=True).exists()


def test_a_drain_that_hits_its_limit_hands_over_to_another(drains):
    stored(3)
    assert ticket_intake_drain(limit=2) == 2
    assert len(drains) == 1
    assert Ticket.objects.filter(intake_pending=True).count() == 1


def test_the_drain_is_scheduled_every_minute():
    task = PeriodicTask.objects.get(task="journey.tasks.ticket_intake_drain")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "minutes"


@pytest.mark.django_db(transaction=True)
def test_concurrent_drains_route_each_ticket_exactly_once(drains):
    stored(24)  # committed at once here: each rings, and the (counted, not run) drain waits
    assert len(drains) == 1
    assert Ticket.objects.filter(intake_pending=True).count() == 24
    counts, errors = [], []

    def run():
        try:
            counts.append(ticket_intake_drain())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(counts) == 24
    assert TicketEvent.objects.filter(kind="routed").count() == 24
    assert not Ticket.objects.filter(intake_pending=True).exists()


def test_the_drain_publishes_created_after_the_pipeline_s_events(
    monkeypatch, django_capture_on_commit_callbacks
):
    from live import realtime

    sent = []
    monkeypatch.setattr(realtime, "_deliver", lambda message, **_: sent.append(message))
    [ticket] = stored(1)
    with django_capture_on_commit_callbacks(execute=True):
        assert ticket_intake_drain() == 1
    kinds = [m["type"] for m in sent if m["ticket_id"] == str(ticket.pk)]
    assert kinds[0] == "ticket.routed" and kinds[-1] == "ticket.created"  # as on the inline path
    assert kinds.count("ticket.created") == 1
