"""The WebSocket handshake as daphne serves it: native apps without an Origin sign in by token,
a foreign Origin is refused, and frames that are not JSON objects get an error (split from
test_consumers.py, whose socket helpers it uses)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from .test_consumers import (  # noqa: F401  # _disconnect_sockets: the autouse clean-up
    _OPEN,
    _closed_with,
    _connect,
    _disconnect_sockets,
    _next,
    _token,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def _handshake(path: str, headers: list[tuple[bytes, bytes]]):
    """A handshake against the application daphne serves (origin check and sign-in included)."""
    from helpdesk.asgi import application

    comm = WebsocketCommunicator(application, path, headers=headers)
    _OPEN.append(comm)
    connected, _ = await comm.connect(timeout=10)
    return comm, connected


async def test_native_apps_without_origin_sign_in_with_their_token(ticket, customer):
    """OkHttp and URLSession send no Origin: the app still gets live status with ?token=."""
    token = await _token(customer)
    comm, connected = await _handshake(f"/ws/tickets/{ticket.pk}/?token={token}", [])
    assert connected
    first = await comm.receive_json_from(timeout=5)
    assert (first["type"], first["ticket_id"]) == ("ticket.snapshot", str(ticket.pk))


async def test_without_origin_a_session_cookie_signs_nobody_in(ticket, customer):
    client = Client()
    await database_sync_to_async(client.force_login)(customer)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    comm, connected = await _handshake(f"/ws/tickets/{ticket.pk}/", [(b"cookie", cookie)])
    assert connected and await _closed_with(comm) == 4401  # not signed in
    ok, connected = await _handshake(
        f"/ws/tickets/{ticket.pk}/", [(b"cookie", cookie), (b"origin", b"http://localhost")]
    )
    assert connected  # a browser of this site with its session
    assert (await ok.receive_json_from(timeout=5))["type"] == "ticket.snapshot"


async def test_a_foreign_origin_is_refused_even_with_a_token(ticket, customer):
    token = await _token(customer)
    _, connected = await _handshake(
        f"/ws/tickets/{ticket.pk}/?token={token}", [(b"origin", b"https://evil.example")]
    )
    assert not connected


@pytest.mark.parametrize(
    "frame", [{"text_data": "not json{"}, {"text_data": "[1, 2]"}, {"bytes_data": b"\x00\xff"}]
)
async def test_a_frame_that_is_not_a_json_object_gets_an_error_not_a_crash(ticket, agent, frame):
    """Issue #17: a non-JSON frame from staff crashed the consumer with a traceback."""
    comm = await _connect(f"/ws/tickets/{ticket.pk}/", agent.user)
    await _next(comm, "ticket.snapshot")
    if "bytes_data" in frame:
        await comm.send_to(bytes_data=frame["bytes_data"])
    else:
        await comm.send_to(text_data=frame["text_data"])
    assert await _next(comm, "error") == {"type": "error", "detail": "Send a JSON object."}
    await comm.send_to(text_data="again")  # the consumer is still there
    assert (await _next(comm, "error"))["detail"] == "Send a JSON object."
    await comm.disconnect()
