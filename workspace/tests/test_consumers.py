"""The live sockets: who may connect, what each role receives, snapshot first, after commit only."""

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from core.tokens import token_issue
from core.ws_auth import TokenOrSessionAuthMiddleware
from helpdesk.ws_urls import websocket_urlpatterns
from journey import services
from live import realtime, sender
from tickets.access import status_token_make
from tickets.models import Status, Ticket
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

APP = TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))
_OPEN: list[WebsocketCommunicator] = []


@pytest_asyncio.fixture(autouse=True)
async def _disconnect_sockets():
    """Every socket a test opened is disconnected in the test's own loop, so no consumer is left
    blocked in a channel-layer receive for the loop's teardown to cancel."""
    yield
    while _OPEN:
        comm = _OPEN.pop()
        try:
            await comm.disconnect(timeout=5)
        except BaseException:  # already closed by the server, or the test broke it
            pass


@database_sync_to_async
def _token(user) -> str:
    return token_issue(user=user)


async def _connect(path: str, user=None, **headers):
    if user is not None:
        sep = "&" if "?" in path else "?"
        path = f"{path}{sep}token={await _token(user)}"
    comm = WebsocketCommunicator(
        APP, path, headers=[(k.encode(), v.encode()) for k, v in headers.items()] or None
    )
    _OPEN.append(comm)
    connected, _ = await comm.connect(timeout=10)
    assert connected
    return comm


async def _closed_with(comm) -> int:
    message = await comm.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return message["code"]


@database_sync_to_async
def _sync(fn, *args, **kwargs):
    result = fn(*args, **kwargs)
    realtime.flush()
    return result


async def _next(comm, event_type: str, timeout: float = 5):
    """The next message of `event_type`, skipping others (presence and so on)."""
    while True:
        message = await comm.receive_json_from(timeout=timeout)
        if message["type"] == event_type:
            return message


async def test_anonymous_is_closed_with_4401(ticket):
    comm = await _connect(f"/ws/tickets/{ticket.pk}/")
    assert await _closed_with(comm) == 4401
    comm = await _connect("/ws/workspace/")
    assert await _closed_with(comm) == 4401


async def test_bad_token_is_4401(ticket):
    comm = await _connect(f"/ws/tickets/{ticket.pk}/?token=nope")
    assert await _closed_with(comm) == 4401


async def test_other_customer_gets_4403_and_nothing_else(ticket, other_customer):
    comm = await _connect(f"/ws/tickets/{ticket.pk}/", other_customer)
    assert await _closed_with(comm) == 4403


async def test_missing_ticket_is_4403(customer):
    comm = await _connect("/ws/tickets/00000000-0000-0000-0000-000000000000/", customer)
    assert await _closed_with(comm) == 4403
    comm = await _connect("/ws/tickets/not-a-uuid/", customer)
    assert await _closed_with(comm) == 4403


async def test_customer_cannot_open_the_workspace(customer):
    comm = await _connect("/ws/workspace/", customer)
    assert await _closed_with(comm) == 4403


async def test_agent_outside_the_queue_is_refused(ticket):
    from agents.tests.factories import AgentFactory

    other_queue = await database_sync_to_async(QueueFactory)(slug="elsewhere")
    outsider = await database_sync_to_async(AgentFactory)(all_queues=False)
    await database_sync_to_async(outsider.queues.add)(other_queue)
    comm = await _connect(f"/ws/tickets/{ticket.pk}/", outsider.user)
    assert await _closed_with(comm) == 4403


async def test_snapshot_is_the_first_message_with_current_state(ticket, customer, agent):
    await _sync(Ticket.objects.filter(pk=ticket.pk).update, confidence=0.64)
    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="in_progress")
    comm = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    snapshot = await comm.receive_json_from(timeout=5)
    assert snapshot["type"] == "ticket.snapshot"
    assert snapshot["ticket_id"] == str(ticket.pk)
    assert snapshot["status"] == "in_progress"
    assert snapshot["queue"] == "general"
    assert {
        "priority",
        "confidence",
        "assigned_agent",
        "escalation_level",
        "sla_first_response_due",
        "sla_resolution_due",
    } <= snapshot.keys()
    assert "routing_reason" not in snapshot and "breach_risk" not in snapshot
    assert snapshot["confidence"] is None  # routing's view is for staff (issue #17)
    await comm.disconnect()


async def test_session_cookie_authenticates(ticket, agent):
    client = Client()
    await database_sync_to_async(client.force_login)(agent.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    comm = await _connect(f"/ws/tickets/{ticket.pk}/", cookie=cookie)
    snapshot = await comm.receive_json_from(timeout=5)
    assert snapshot["type"] == "ticket.snapshot"
    assert "routing_reason" in snapshot  # staff view
    await comm.disconnect()


async def test_a_logged_out_or_forged_session_cookie_is_4401(ticket, agent):
    client = Client()
    await database_sync_to_async(client.force_login)(agent.user)
    key = client.cookies["sessionid"].value
    await database_sync_to_async(client.logout)()  # the session is gone from the store
    for cookie in (f"sessionid={key}", "sessionid=forged-key"):
        comm = await _connect(f"/ws/tickets/{ticket.pk}/", cookie=cookie)
        assert await _closed_with(comm) == 4401


async def test_a_session_socket_gets_its_events_and_never_writes_the_session(ticket, agent):
    from django.contrib.sessions.models import Session

    client = Client()
    await database_sync_to_async(client.force_login)(agent.user)
    before = await database_sync_to_async(
        lambda: list(Session.objects.values_list("expire_date"))
    )()
    comm = await _connect("/ws/workspace/", cookie=f"sessionid={client.cookies['sessionid'].value}")
    assert (await comm.receive_json_from(timeout=5))["type"] == "workspace.ready"
    await database_sync_to_async(_change_status)(ticket, agent)
    assert (await comm.receive_json_from(timeout=5))["type"] == "ticket.status_changed"
    await comm.disconnect()
    after = await database_sync_to_async(lambda: list(Session.objects.values_list("expire_date")))()
    assert after == before


def _change_status(ticket, agent):
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.IN_PROGRESS)
    realtime.flush(5)


async def test_signed_status_link_lets_an_anonymous_visitor_follow_one_ticket(ticket, queue):
    token = status_token_make(ticket_id=ticket.pk)
    comm = await _connect(f"/ws/tickets/{ticket.pk}/?access={token}")
    assert (await comm.receive_json_from(timeout=5))["type"] == "ticket.snapshot"
    await comm.disconnect()
    other = await database_sync_to_async(TicketFactory)(queue=queue)
    comm = await _connect(f"/ws/tickets/{other.pk}/?access={token}")
    assert await _closed_with(comm) == 4401


async def test_internal_note_reaches_staff_but_never_the_customer(ticket, customer, agent):
    cust = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    staff = await _connect(f"/ws/tickets/{ticket.pk}/", agent.user)
    await cust.receive_json_from(timeout=5)
    await _next(staff, "ticket.snapshot")

    note = await _sync(
        services.comment_add, ticket=ticket, user=agent.user, body="secret", internal=True
    )
    seen = await _next(staff, "ticket.comment_added")
    assert seen["comment_id"] == note.pk and seen["internal"] is True
    assert await cust.receive_nothing(timeout=0.3)

    reply = await _sync(services.comment_add, ticket=ticket, user=agent.user, body="Hello")
    public = await _next(cust, "ticket.comment_added")
    assert public == {
        "type": "ticket.comment_added",
        "ticket_id": str(ticket.pk),
        "comment_id": reply.pk,
        "author_kind": "agent",
    }
    await cust.disconnect()
    await staff.disconnect()


async def test_status_events_reach_customer_and_workspace(ticket, customer, agent):
    cust = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    work = await _connect("/ws/workspace/", agent.user)
    await cust.receive_json_from(timeout=5)
    assert (await work.receive_json_from(timeout=5))["type"] == "workspace.ready"

    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="in_progress")
    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="resolved")
    for comm in (cust, work):
        first = await _next(comm, "ticket.status_changed")
        assert first["status"] == "in_progress" and first["previous"] == "open"
        second = await _next(comm, "ticket.status_changed")
        assert second["status"] == "resolved"
        resolved = await _next(comm, "ticket.resolved")
        assert resolved["ticket_id"] == str(ticket.pk)
    await cust.disconnect()
    await work.disconnect()


async def test_reassign_reason_is_for_staff_only(ticket, customer, agent, manager):
    realtime_payload = {
        "queue": "general",
        "agent": "Ann",
        "reason": "VIP customer",
        "confidence": 0.4,
    }

    def publish():
        with transaction.atomic():
            realtime.publish("ticket.reassigned", ticket.pk, realtime_payload)

    cust = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    staff = await _connect(f"/ws/tickets/{ticket.pk}/", manager)
    await cust.receive_json_from(timeout=5)
    await _next(staff, "ticket.snapshot")
    await _sync(publish)
    assert (await _next(staff, "ticket.reassigned"))["reason"] == "VIP customer"
    seen = await _next(cust, "ticket.reassigned")
    assert "reason" not in seen and "confidence" not in seen and seen["agent"] == "Ann"
    await cust.disconnect()
    await staff.disconnect()


async def test_a_rolled_back_change_sends_nothing(ticket, customer, agent):
    cust = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    work = await _connect("/ws/workspace/", agent.user)
    await cust.receive_json_from(timeout=5)
    await work.receive_json_from(timeout=5)

    def change_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.ticket_change_status(ticket=ticket, user=agent.user, status="in_progress")
            services.comment_add(ticket=ticket, user=agent.user, body="never sent")
            raise RuntimeError("boom")

    await _sync(change_then_fail)
    assert await cust.receive_nothing(timeout=0.5)
    assert await work.receive_nothing(timeout=0.1)
    ticket_now = await database_sync_to_async(type(ticket).objects.get)(pk=ticket.pk)
    assert ticket_now.status == Status.OPEN
    await cust.disconnect()
    await work.disconnect()


async def test_events_are_sent_only_after_commit(ticket, customer, agent):
    cust = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    await cust.receive_json_from(timeout=5)
    seen_inside: list = []

    def change_and_look():
        with transaction.atomic():
            services.ticket_change_status(ticket=ticket, user=agent.user, status="in_progress")
            realtime.flush()
            seen_inside.append(sender._sender_instance and sender._sender_instance._pending)

    await _sync(change_and_look)
    assert seen_inside in ([None], [0])  # nothing was queued before the commit
    assert (await _next(cust, "ticket.status_changed"))["status"] == "in_progress"
    await cust.disconnect()


async def test_collision_presence_viewing_and_typing(ticket, agent, manager):
    first = await _connect(f"/ws/tickets/{ticket.pk}/", agent.user)
    await _next(first, "ticket.snapshot")
    second = await _connect(f"/ws/tickets/{ticket.pk}/", manager)
    await _next(second, "ticket.snapshot")

    joined = await _next(first, "presence")
    assert joined["user_id"] == manager.pk and joined["state"] == "viewing"
    already = await _next(second, "presence")
    assert already["user_id"] == agent.user_id and already["state"] == "viewing"

    await second.send_json_to({"type": "presence.typing", "typing": True})
    typing = await _next(first, "presence")
    assert typing["user_id"] == manager.pk and typing["state"] == "typing"

    await second.disconnect()
    left = await _next(first, "presence")
    assert left["state"] == "left"
    await first.disconnect()


async def test_customers_get_no_presence_and_cannot_fake_it(ticket, customer, agent):
    cust = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    await cust.receive_json_from(timeout=5)
    staff = await _connect(f"/ws/tickets/{ticket.pk}/", agent.user)
    await _next(staff, "ticket.snapshot")
    await cust.send_json_to({"type": "presence.typing", "typing": True})
    assert await staff.receive_nothing(timeout=0.3)
    assert await cust.receive_nothing(timeout=0.1)
    await cust.disconnect()
    await staff.disconnect()


async def test_limited_agent_gets_ids_only_on_the_workspace(ticket, agent):
    from agents.tests.factories import AgentFactory

    limited = await database_sync_to_async(AgentFactory)(all_queues=False)
    await database_sync_to_async(limited.queues.add)(ticket.queue)
    work = await _connect("/ws/workspace/", limited.user)
    await work.receive_json_from(timeout=5)
    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="in_progress")
    assert await _next(work, "ticket.status_changed") == {
        "type": "ticket.status_changed",
        "ticket_id": str(ticket.pk),
    }
    await work.disconnect()


async def test_limited_agents_hear_only_of_their_queues_and_their_tickets(ticket, agent, manager):
    """A limited agent's workspace gets the events of tickets in their queues, assigned to them,
    or leaving either, and nothing of other queues' tickets; a full agent gets everything."""
    from agents.tests.factories import AgentFactory

    other_queue = await database_sync_to_async(QueueFactory)(slug="billing", name="Billing")
    elsewhere = await database_sync_to_async(TicketFactory)(queue=other_queue)
    limited = await database_sync_to_async(AgentFactory)(all_queues=False)
    await database_sync_to_async(limited.queues.add)(ticket.queue)
    mine = await _connect("/ws/workspace/", limited.user)
    everything = await _connect("/ws/workspace/", agent.user)
    await mine.receive_json_from(timeout=5)
    await everything.receive_json_from(timeout=5)

    def change(target):
        services.ticket_change_status(ticket=target, user=agent.user, status="in_progress")

    # Another queue's ticket: only the full agent hears of it.
    await _sync(change, elsewhere)
    seen = await _next(everything, "ticket.status_changed")
    assert seen["ticket_id"] == str(elsewhere.pk)
    # Their queue's ticket: both; the limited agent's is the first frame it gets at all.
    await _sync(change, ticket)
    assert (await _next(everything, "ticket.status_changed"))["ticket_id"] == str(ticket.pk)
    assert await mine.receive_json_from(timeout=5) == {
        "type": "ticket.status_changed",
        "ticket_id": str(ticket.pk),
    }
    # Their ticket moves to the other queue: they hear of it (it leaves their list) ...
    await _sync(
        services.ticket_reassign, ticket=ticket, user=manager, queue=other_queue, reason="billing"
    )
    assert (await _next(mine, "ticket.reassigned"))["ticket_id"] == str(ticket.pk)

    # ... and then no more of it, except of a ticket assigned to them in a queue not theirs (they
    # were taken off that queue after it was assigned).
    def escalate(target):
        with transaction.atomic():
            realtime.publish("ticket.escalated", Ticket.objects.get(pk=target.pk), {"level": 1})

    await _sync(escalate, ticket)
    assert (await _next(everything, "ticket.escalated"))["ticket_id"] == str(ticket.pk)
    await database_sync_to_async(
        lambda: Ticket.objects.filter(pk=elsewhere.pk).update(assigned_agent=limited)
    )()
    await _sync(escalate, elsewhere)
    assert (await _next(everything, "ticket.escalated"))["ticket_id"] == str(elsewhere.pk)
    theirs = await mine.receive_json_from(timeout=5)  # nothing of `ticket` came before it
    assert theirs == {"type": "ticket.escalated", "ticket_id": str(elsewhere.pk)}
    # An event published by id only (the SLA pass) reaches every workspace.
    await _sync(lambda: realtime.publish("ticket.escalated", ticket.pk, {"level": 2}))
    assert await _next(mine, "ticket.escalated") == {
        "type": "ticket.escalated",
        "ticket_id": str(ticket.pk),
    }


async def test_events_reach_sockets_without_a_trip_to_the_database_thread(
    ticket, agent, monkeypatch
):
    """Channels closes stale database connections in its one sync thread before every handler;
    for events that are only forwarded, that hop cost more than the forwarding and made every
    socket of a process queue for the thread (the latency tail with 100 workspaces)."""
    import channels.consumer

    calls: list[int] = []
    original = channels.consumer.aclose_old_connections

    async def counting():
        calls.append(1)
        return await original()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting)
    work = await _connect("/ws/workspace/", agent.user)
    staff = await _connect(f"/ws/tickets/{ticket.pk}/", agent.user)
    await work.receive_json_from(timeout=5)
    await _next(staff, "ticket.snapshot")
    assert calls  # socket events (connect) still get the clean-up
    before = len(calls)
    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="in_progress")
    assert (await _next(work, "ticket.status_changed"))["status"] == "in_progress"
    assert (await _next(staff, "ticket.status_changed"))["status"] == "in_progress"
    assert len(calls) == before
    await work.disconnect()
    await staff.disconnect()


async def test_every_workspace_gets_each_event_once_in_order_after_one_leaves(ticket, agent):
    """The process's workspace sockets share one group membership (live/fanout.py)."""
    sockets = [await _connect("/ws/workspace/", agent.user) for _ in range(3)]
    for comm in sockets:
        assert (await comm.receive_json_from(timeout=5))["type"] == "workspace.ready"
    await sockets[0].disconnect()
    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="in_progress")
    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="resolved")
    for comm in sockets[1:]:
        seen = [await comm.receive_json_from(timeout=5) for _ in range(3)]
        assert [(m["type"], m.get("status")) for m in seen] == [
            ("ticket.status_changed", "in_progress"),
            ("ticket.status_changed", "resolved"),
            ("ticket.resolved", "resolved"),
        ]
        assert await comm.receive_nothing(timeout=0.3)
    late = await _connect("/ws/workspace/", agent.user)
    assert (await late.receive_json_from(timeout=5))["type"] == "workspace.ready"
    assert await late.receive_nothing(timeout=0.2)  # nothing from before it joined


async def test_events_of_one_transaction_arrive_in_order(ticket, customer, agent):
    cust = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    await cust.receive_json_from(timeout=5)

    def together():
        with transaction.atomic():
            services.ticket_change_status(ticket=ticket, user=agent.user, status="in_progress")
            services.comment_add(ticket=ticket, user=agent.user, body="On it")

    await _sync(together)
    first = await cust.receive_json_from(timeout=5)
    second = await cust.receive_json_from(timeout=5)
    assert [first["type"], second["type"]] == ["ticket.status_changed", "ticket.comment_added"]
    await cust.disconnect()


async def test_in_memory_layer_of_the_embedded_default_delivers(settings, ticket, customer, agent):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    cust = await _connect(f"/ws/tickets/{ticket.pk}/", customer)
    await cust.receive_json_from(timeout=5)
    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="in_progress")
    assert (await _next(cust, "ticket.status_changed"))["status"] == "in_progress"
    await cust.disconnect()


async def test_in_memory_layer_reaches_the_workspace_too(settings, ticket, agent):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    work = await _connect("/ws/workspace/", agent.user)
    assert (await work.receive_json_from(timeout=5))["type"] == "workspace.ready"
    await _sync(services.ticket_change_status, ticket=ticket, user=agent.user, status="in_progress")
    assert (await _next(work, "ticket.status_changed"))["status"] == "in_progress"
    await work.disconnect()
