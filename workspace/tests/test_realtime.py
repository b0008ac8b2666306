"""helpdesk.realtime without sockets: audiences, what customers may see, batching, the layer."""

import json

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from helpdesk import realtime


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
    coalesced = dict(realtime._coalesce([a, b, c]))
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
    coalesced = dict(realtime._coalesce(_intake("t1") + _intake("t2")))
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
        workspace = dict(realtime._coalesce(sends))["workspace"]
        assert [e["type"] for e in workspace["events"]] == expected
        assert [json.loads(t)["type"] for t in workspace["texts"]] == expected


def test_a_created_ticket_routed_later_keeps_its_created_event_on_the_workspace():
    """The deferred intake: the webhook's commit says created, the task's commit routes it."""
    created = realtime.deliveries({"type": "ticket.created", "ticket_id": "t1"}, internal=False)
    routed = realtime.deliveries({"type": "ticket.routed", "ticket_id": "t1"}, internal=False)
    alone = dict(realtime._coalesce([created]))["workspace"]
    assert [e["type"] for e in alone["events"]] == ["ticket.created"]
    together = dict(realtime._coalesce([created, routed]))["workspace"]
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
    from tickets import services
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
