"""live.realtime without sockets: audiences, what customers may see, batching, the layer."""

import json

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from live import envelopes, realtime, sender


def test_internal_events_never_address_the_customer_group():
    message = {"type": "ticket.comment_added", "ticket_id": "t1", "comment_id": 3, "internal": True}
    groups = [group for group, _ in realtime.deliveries(message, internal=True)]
    assert groups == ["ticket.t1.staff", "workspace"]


def test_customer_copy_keeps_only_public_fields():
    message = {
        "type": "ticket.reassigned",
        "ticket_id": "t1",
        "agent": "Ann",
        "queue": "billing",
        "reason": "VIP",
        "breach_risk": 0.9,
        "routing_reason": "rule 4",
    }
    sends = dict(realtime.deliveries(message, internal=False))
    assert sends["ticket.t1.staff"]["event"] == message
    assert sends["ticket.t1.customer"]["event"] == {
        "type": "ticket.reassigned",
        "ticket_id": "t1",
        "agent": "Ann",
        "queue": "billing",
    }
    assert "VIP" not in sends["ticket.t1.customer"]["text"]


def test_batch_sends_one_message_per_group_in_order():
    a = realtime.deliveries({"type": "ticket.routed", "ticket_id": "t1"}, internal=False)
    b = realtime.deliveries({"type": "ticket.assigned", "ticket_id": "t1"}, internal=False)
    c = realtime.deliveries({"type": "ticket.created", "ticket_id": "t2"}, internal=True)
    coalesced = dict(envelopes.coalesce([a, b, c]))
    assert [e["type"] for e in coalesced["workspace"]["events"]] == [
        "ticket.routed",
        "ticket.assigned",
        "ticket.created",
    ]
    assert len(coalesced["workspace"]["texts"]) == 3
    assert [e["type"] for e in coalesced["ticket.t1.customer"]["events"]] == [
        "ticket.routed",
        "ticket.assigned",
    ]
    assert "ticket.t2.customer" not in coalesced


def _intake(ticket_id: str) -> list[list[tuple[str, dict]]]:
    """What one ticket's intake inside the creating transaction publishes, in that order."""
    return [
        realtime.deliveries({"type": kind, "ticket_id": ticket_id, **extra}, internal=False)
        for kind, extra in (
            ("ticket.routed", {"queue": "billing"}),
            ("ticket.status_changed", {"status": "assigned", "previous": "new"}),
            ("ticket.assigned", {"agent": "Ann"}),
            ("ticket.created", {"status": "assigned"}),
        )
    ]


def test_workspace_gets_a_new_tickets_created_and_status_inside_its_other_events():
    coalesced = dict(envelopes.coalesce(_intake("t1") + _intake("t2")))
    workspace = coalesced["workspace"]
    assert [(e["type"], e["ticket_id"]) for e in workspace["events"]] == [
        ("ticket.routed", "t1"),
        ("ticket.assigned", "t1"),
        ("ticket.routed", "t2"),
        ("ticket.assigned", "t2"),
    ]
    routed = json.loads(workspace["texts"][0])
    assert routed == {
        "type": "ticket.routed",
        "ticket_id": "t1",
        "queue": "billing",
        "created": True,
    }
    assert json.loads(workspace["texts"][1]) == {
        "type": "ticket.assigned",
        "ticket_id": "t1",
        "agent": "Ann",
        "status": "assigned",
        "previous": "new",
    }
    assert workspace["events"][1]["status"] == "assigned"
    # the ticket's own sockets keep every event, unchanged
    for group in ("ticket.t1.staff", "ticket.t1.customer"):
        events = coalesced[group]["events"]
        assert [e["type"] for e in events] == [
            "ticket.routed",
            "ticket.status_changed",
            "ticket.assigned",
            "ticket.created",
        ]
        assert "created" not in events[0] and "previous" not in events[2]


def test_other_status_changes_stay_their_own_workspace_frames():
    def batch(*events):
        return [realtime.deliveries({"ticket_id": "t1", **e}, internal=False) for e in events]

    changed = {"type": "ticket.status_changed", "status": "assigned", "previous": "open"}
    assigned = {"type": "ticket.assigned", "agent": "Ann"}
    resolved = {"type": "ticket.status_changed", "status": "resolved", "previous": "assigned"}
    cases = [
        # a reassignment of an assigned ticket: no status change to fold
        (batch(assigned), ["ticket.assigned"]),
        # a change to assigned with no assignment after it in the batch
        (batch(assigned, changed), ["ticket.assigned", "ticket.status_changed"]),
        # any other status
        (batch(resolved, assigned), ["ticket.status_changed", "ticket.assigned"]),
        # the change to assigned pairs with the next assignment only, then a later change stays
        (batch(changed, assigned, resolved), ["ticket.assigned", "ticket.status_changed"]),
    ]
    for sends, expected in cases:
        workspace = dict(envelopes.coalesce(sends))["workspace"]
        assert [e["type"] for e in workspace["events"]] == expected
        assert [json.loads(t)["type"] for t in workspace["texts"]] == expected


def test_a_created_ticket_routed_later_keeps_its_created_event_on_the_workspace():
    """The deferred intake: the webhook's commit says created, the task's commit routes it."""
    created = realtime.deliveries({"type": "ticket.created", "ticket_id": "t1"}, internal=False)
    routed = realtime.deliveries({"type": "ticket.routed", "ticket_id": "t1"}, internal=False)
    alone = dict(envelopes.coalesce([created]))["workspace"]
    assert [e["type"] for e in alone["events"]] == ["ticket.created"]
    together = dict(envelopes.coalesce([created, routed]))["workspace"]
    assert [e["type"] for e in together["events"]] == ["ticket.created", "ticket.routed"]
    assert "created" not in together["events"][1]


def test_redis_reads_outlast_the_layers_blocking_pop():
    """redis-py 8 times reads out after 5 s, exactly channels-redis' blocking pop: idle sockets
    died every 5 s until the layer's connections got a longer timeout."""
    host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout


def test_a_dead_redis_never_fails_the_change(
    settings, ticket, agent, django_capture_on_commit_callbacks
):
    from journey import services
    from tickets.models import Status

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_timeout": 1}]},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_change_status(ticket=ticket, user=agent.user, status="in_progress")
    assert realtime.flush(timeout=15)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_events_is_delivered_whole(caplog):
    """An SLA pass can publish thousands of events in one commit: none may be dropped for want of
    Redis connections (they were, before sends were bounded)."""
    import asyncio
    import uuid

    from channels.layers import channel_layers
    from django.db import transaction

    channel_layers.backends.clear()
    layer = channel_layers.make_backend("default")

    async def listen():
        channel = await layer.new_channel()
        await layer.group_add(realtime.WORKSPACE_GROUP, channel)
        return channel

    loop = asyncio.new_event_loop()
    try:
        channel = loop.run_until_complete(listen())
        ids = [str(uuid.uuid4()) for _ in range(1500)]
        with transaction.atomic():
            for ticket_id in ids:
                realtime.publish("ticket.escalated", ticket_id, {"level": 2})
        assert realtime.flush(30)
        received: list[str] = []
        while len(received) < len(ids):
            message = loop.run_until_complete(asyncio.wait_for(layer.receive(channel), 10))
            received += [event["ticket_id"] for event in message["events"]]
    finally:
        loop.run_until_complete(layer.flush())
        loop.close()
    assert sorted(received) == sorted(ids)
    assert "not delivered" not in caplog.text


# ---------------------------------------------------------------- whose workspace lists an event concerns
class _Ticket:
    """What `publish` reads of a Ticket."""

    def __init__(self, pk, queue_id, assigned_agent_id=None):
        self.pk, self.queue_id, self.assigned_agent_id = pk, queue_id, assigned_agent_id


def test_a_ticket_s_events_name_its_queue_and_assignee_now_and_before(monkeypatch):
    sent = []
    monkeypatch.setattr(realtime.transaction, "on_commit", lambda fn: fn())
    monkeypatch.setattr(realtime, "_deliver", lambda message, **kw: sent.append((message, kw)))
    realtime.publish("ticket.reassigned", _Ticket("t1", 5, 9), {"queue": "b"}, was=(4, 8))
    realtime.publish("ticket.routed", _Ticket("t2", 5), {"queue": "b"})
    realtime.publish("ticket.escalated", "t3", {"level": 2})  # by id: everyone's
    assert [kw["audience"] for _, kw in sent] == [
        {"queues": [4, 5], "agents": [8, 9]},
        {"queues": [5], "agents": []},
        None,
    ]
    assert [message["ticket_id"] for message, _ in sent] == ["t1", "t2", "t3"]


def test_only_the_workspace_envelope_carries_the_audience_and_no_text_shows_it():
    audience = {"queues": [5], "agents": [9]}
    message = {"type": "ticket.assigned", "ticket_id": "t1", "agent": "Ann"}
    sends = realtime.deliveries(message, internal=False, audience=audience)
    by_group = dict(sends)
    assert by_group["workspace"]["audience"] == audience
    assert "audience" not in by_group["ticket.t1.staff"]
    assert "audience" not in by_group["ticket.t1.customer"]
    assert all("queues" not in envelope["text"] for _, envelope in sends)
    batch = dict(envelopes.coalesce([sends]))
    assert batch["workspace"]["audiences"] == [audience]
    assert "audiences" not in batch["ticket.t1.staff"]


def test_folded_events_keep_everyone_they_concerned():
    def sends(kind, audience, **extra):
        message = {"type": kind, "ticket_id": "t1", **extra}
        return realtime.deliveries(message, internal=False, audience=audience)

    batch = [
        sends("ticket.routed", {"queues": [5], "agents": []}, queue="b"),
        sends("ticket.status_changed", {"queues": [5], "agents": [8]}, status="assigned"),
        sends("ticket.assigned", {"queues": [6], "agents": [9]}, agent="Ann"),
        sends("ticket.created", {"queues": [7], "agents": []}, status="assigned"),
    ]
    workspace = dict(envelopes.coalesce(batch))["workspace"]
    assert [e["type"] for e in workspace["events"]] == ["ticket.routed", "ticket.assigned"]
    assert workspace["audiences"] == [
        {"queues": [5, 7], "agents": []},  # + the folded ticket.created's
        {"queues": [5, 6], "agents": [8, 9]},  # + the folded status change's
    ]
    everyone = batch[:1] + [sends("ticket.created", None, status="open")]
    workspace = dict(envelopes.coalesce(everyone))["workspace"]
    assert "audiences" not in workspace  # a folded event for everyone: the kept one is too


def test_a_limited_agent_s_frames_are_the_events_that_concern_them():
    from live.fanout import Frames

    events = [
        {"type": "ticket.routed", "ticket_id": "a"},
        {"type": "ticket.assigned", "ticket_id": "b"},
        {"type": "ticket.escalated", "ticket_id": "c"},
    ]
    message = {
        "type": realtime.BATCH_ENVELOPE_TYPE,
        "events": events,
        "texts": [json.dumps(e) for e in events],
        "audiences": [
            {"queues": [1], "agents": []},
            {"queues": [2], "agents": [7]},
            None,
        ],
    }
    frames = Frames(message)
    assert frames.relevant(frozenset({1}), None) == (0, 2)
    assert frames.relevant(frozenset({3}), 7) == (1, 2)
    assert frames.relevant(frozenset({1, 2}), None) is None  # all of them
    assert [json.loads(text) for text in frames.texts(False, (0, 2))] == [
        {"type": "ticket.routed", "ticket_id": "a"},
        {"type": "ticket.escalated", "ticket_id": "c"},
    ]


@pytest.mark.django_db(transaction=True)
def test_a_worker_gathers_several_commits_events_into_one_message(monkeypatch):
    """A Celery worker's sender waits HELPDESK_REALTIME_WORKER_LINGER (live/process.py, marked
    by helpdesk/celery.py at start): tickets taken in one after another within it reach the workspace as one
    message, in order; a web process (2 ms) sends each commit's events on their own."""
    import asyncio
    import time
    import uuid

    from channels.layers import channel_layers
    from django.conf import settings
    from django.db import transaction

    from live import process

    channel_layers.backends.clear()
    layer = channel_layers.make_backend("default")
    loop = asyncio.new_event_loop()

    def messages_for(commits: int, apart: float) -> list[list[str]]:
        async def listen():
            channel = await layer.new_channel()
            await layer.group_add(realtime.WORKSPACE_GROUP, channel)
            return channel

        channel = loop.run_until_complete(listen())
        ids = [str(uuid.uuid4()) for _ in range(commits)]
        for ticket_id in ids:  # one commit each, as the intake drain makes them
            with transaction.atomic():
                realtime.publish("ticket.escalated", ticket_id, {"level": 1})
            time.sleep(apart)
        assert realtime.flush(10)
        out: list[list[str]] = []
        while sum(map(len, out)) < len(ids):
            message = loop.run_until_complete(asyncio.wait_for(layer.receive(channel), 10))
            out.append([event["ticket_id"] for event in message["events"]])
        assert [i for batch in out for i in batch] == ids
        loop.run_until_complete(layer.group_discard(realtime.WORKSPACE_GROUP, channel))
        return out

    try:
        assert len(messages_for(4, apart=0.03)) >= 3  # a web process: each commit on its own
        monkeypatch.setattr(process, "IN_WORKER", False)  # restored after the test
        process.mark_worker()  # what a worker process's start signals do (helpdesk/celery.py)
        assert sender.linger() == settings.HELPDESK_REALTIME_WORKER_LINGER == 0.05
        assert len(messages_for(4, apart=0.005)) == 1  # 4 commits within 50 ms: one message
    finally:
        loop.run_until_complete(layer.flush())
        loop.close()
