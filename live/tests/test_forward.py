"""Live events from the embedded default's worker reach the server's in-memory layer."""

import json
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client

from live import forward, realtime
from live.forward import HEADER, signature

URL = "/internal/realtime"


@pytest.fixture
def in_memory(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.HELPDESK_REALTIME_ACCEPT_FORWARDS = True
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.WORKSPACE_GROUP, channel)
    return layer, channel


def _post(body: bytes, sig: str | None = None):
    headers = {HEADER: sig if sig is not None else signature(body)}
    return Client().post(URL, body, content_type="application/json", headers=headers)


def test_closed_unless_the_embedded_default_accepts_forwards(settings):
    settings.HELPDESK_REALTIME_ACCEPT_FORWARDS = False
    assert _post(b'{"message": {}, "internal": false}').status_code == 404


def test_a_forward_needs_the_signature(in_memory):
    body = json.dumps({"message": {"type": "ticket.routed", "ticket_id": "t1"}, "internal": False})
    assert _post(body.encode(), sig="0" * 64).status_code == 401
    assert _post(b'{"message": 1}').status_code == 400


@pytest.mark.django_db(transaction=True)
def test_worker_events_are_forwarded_to_the_servers_sockets(
    in_memory, live_server, settings, monkeypatch
):
    layer, channel = in_memory
    settings.HELPDESK_REALTIME_FORWARD_URL = f"{live_server.url}{URL}"
    delivered_by_server = []
    deliver = forward.deliver_in_place

    def spy(message, **kwargs):
        delivered_by_server.append(threading.current_thread() is not threading.main_thread())
        return deliver(message, **kwargs)

    monkeypatch.setattr(forward, "deliver_in_place", spy)  # what the server's view sends with

    realtime._deliver({"type": "ticket.escalated", "ticket_id": "t9", "level": 2}, internal=False)

    received = async_to_sync(layer.receive)(channel)
    assert received["event"] == {"type": "ticket.escalated", "ticket_id": "t9", "level": 2}
    assert delivered_by_server == [True]  # sent by the server's request, not in the worker


@pytest.mark.django_db(transaction=True)
def test_a_forwarded_event_keeps_whose_lists_it_concerns(in_memory, live_server, settings):
    layer, channel = in_memory
    settings.HELPDESK_REALTIME_FORWARD_URL = f"{live_server.url}{URL}"
    audience = {"queues": [3], "agents": [7]}
    message = {"type": "ticket.assigned", "ticket_id": "t9", "agent": "Ann"}
    realtime._deliver(message, internal=False, audience=audience)
    received = async_to_sync(layer.receive)(channel)
    assert received["event"] == message and received["audience"] == audience
    assert "audience" not in received["text"]  # never shown to clients


@pytest.mark.parametrize(
    "audience", [{"queues": "3", "agents": []}, {"queues": [3]}, {"queues": [3], "agents": ["x"]}]
)
def test_a_forward_with_a_malformed_audience_is_refused(in_memory, audience):
    message = {"type": "ticket.routed", "ticket_id": "t1"}
    body = json.dumps({"message": message, "internal": False, "audience": audience}).encode()
    assert _post(body).status_code == 400
