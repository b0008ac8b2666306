"""The workspace fan-out through a real daphne: what agents' sockets receive from the process's
hub (live/fanout.py), each frame sent through Channels' API."""

import json
import uuid
from contextlib import ExitStack

import pytest
from django.db import transaction
from websockets.sync.client import connect

from agents.tests.factories import AgentFactory
from core.tokens import token_issue
from live import realtime
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def workspace_socket(sockets: ExitStack, base: str, user):
    token = token_issue(user=user)
    ws_base = base.replace("http://", "ws://")
    url = f"{ws_base}/ws/workspace/?token={token}"
    socket = sockets.enter_context(connect(url, origin=base, open_timeout=10))
    assert json.loads(socket.recv(timeout=10)) == {"type": "workspace.ready"}
    return socket


def test_agents_get_every_event_whole_in_order_and_limited_agents_only_type_and_id(
    daphne_server,
):
    sockets = ExitStack()
    everything = AgentFactory(all_queues=True)
    limited = AgentFactory(all_queues=False)
    billing, general = QueueFactory(slug="billing"), QueueFactory(slug="general")
    limited.queues.add(billing)
    with sockets:
        check_fan_out(
            workspace_socket(sockets, daphne_server, everything.user),
            workspace_socket(sockets, daphne_server, limited.user),
            theirs=TicketFactory(queue=billing),
            not_theirs=TicketFactory(queue=general),
        )


def check_fan_out(full_socket, brief_socket, *, theirs, not_theirs) -> None:
    ticket_id = str(uuid.uuid4())
    note = "<script>alert('x')</script> é€ " + "a" * 70_000  # a frame with a 64-bit length
    with transaction.atomic():  # one commit: one batch, several frames in one write per socket
        realtime.publish("ticket.escalated", ticket_id, {"level": 1})
        realtime.publish("ticket.comment_added", ticket_id, {"note": note}, internal=True)
        realtime.publish("ticket.resolved", ticket_id, {"status": "resolved"})
    assert realtime.flush()

    received = [json.loads(full_socket.recv(timeout=10)) for _ in range(3)]
    assert received == [
        {"level": 1, "type": "ticket.escalated", "ticket_id": ticket_id},
        {"note": note, "type": "ticket.comment_added", "ticket_id": ticket_id},
        {"status": "resolved", "type": "ticket.resolved", "ticket_id": ticket_id},
    ]
    brief = [json.loads(brief_socket.recv(timeout=10)) for _ in range(3)]
    assert brief == [
        {"type": "ticket.escalated", "ticket_id": ticket_id},
        {"type": "ticket.comment_added", "ticket_id": ticket_id},
        {"type": "ticket.resolved", "ticket_id": ticket_id},
    ]

    # Of a commit touching a ticket in their queue and one elsewhere, the limited agent gets the
    # first only; the full agent both.
    with transaction.atomic():
        realtime.publish("ticket.escalated", not_theirs, {"level": 1})
        realtime.publish("ticket.escalated", theirs, {"level": 1})
    assert realtime.flush()
    assert [json.loads(full_socket.recv(timeout=10))["ticket_id"] for _ in range(2)] == [
        str(not_theirs.pk),
        str(theirs.pk),
    ]
    assert json.loads(brief_socket.recv(timeout=10)) == {
        "type": "ticket.escalated",
        "ticket_id": str(theirs.pk),
    }

    # One agent leaves; the other still gets what follows, and pings still work both ways.
    brief_socket.close()
    with transaction.atomic():
        realtime.publish("ticket.escalated", ticket_id, {"level": 2})
    assert realtime.flush()
    assert json.loads(full_socket.recv(timeout=10))["level"] == 2
    full_socket.ping().wait(timeout=5)
