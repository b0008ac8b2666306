"""daphne's per-frame debug-log arguments are plain (live.ws_frames, installed by the ASGI
application)."""

from autobahn.websocket import protocol


def test_the_asgi_application_installs_plain_log_arguments():
    import helpdesk.asgi  # noqa: F401  (installs on import, as daphne loads it)

    assert protocol.hlval(42) == 42
    assert protocol.hltype(protocol.WebSocketProtocol.sendData) == "<WebSocketProtocol.sendData>"
    message = (
        f"{protocol.hltype(protocol.WebSocketProtocol.sendData)} sent {protocol.hlval(7)} bytes"
    )
    assert message == "<WebSocketProtocol.sendData> sent 7 bytes"  # no colour codes


# ---------------------------------------------------------------- ready-made frames (fan-out)
import asyncio  # noqa: E402
import socket  # noqa: E402

import pytest  # noqa: E402
from daphne.server import Server  # noqa: E402
from daphne.ws_protocol import WebSocketProtocol  # noqa: E402
from twisted.internet import tcp  # noqa: E402
from twisted.internet.protocol import Protocol  # noqa: E402
from twisted.internet.testing import MemoryReactor, StringTransport  # noqa: E402
from websockets.frames import Frame, Opcode  # noqa: E402
from websockets.streams import StreamReader  # noqa: E402

from live.ws_frames import direct_writer, send_now, text_frames  # noqa: E402


def parse_frames(data: bytes) -> list[Frame]:
    """Frames as a client library (websockets) reads them from a server."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames = []
    while reader.buffer:
        parser = Frame.parse(reader.read_exact, mask=False)
        try:
            next(parser)
        except StopIteration as done:
            frames.append(done.value)
        else:
            raise AssertionError("a truncated frame")
    return frames


def test_text_frames_are_what_a_websocket_client_reads_for_every_length_form():
    # 7-bit, 16-bit and 64-bit payload lengths, at their edges, with multi-byte characters
    texts = ["", "é" * 62 + "a", "a" * 125, "a" * 126, "€" * 21845, "a" * 65536, '{"x": "<é>"}']
    frames = parse_frames(text_frames(texts))
    assert [frame.opcode for frame in frames] == [Opcode.TEXT] * len(texts)
    assert all(frame.fin for frame in frames)
    assert [frame.data.decode() for frame in frames] == texts


def open_protocol(transport) -> WebSocketProtocol:
    """daphne's protocol for an open WebSocket (the handshake already done)."""
    connection = WebSocketProtocol()
    connection.state = WebSocketProtocol.STATE_OPEN
    connection.send_state = WebSocketProtocol.SEND_STATE_GROUND
    connection.transport = transport
    return connection


def daphne_send(connection: WebSocketProtocol):
    """The ASGI `send` daphne itself gives the application of `connection`."""
    captured = {}

    class Application:
        def __call__(self, scope, receive, send):
            captured["send"] = send
            return asyncio.sleep(0)

    async def create():
        server = Server(Application(), endpoints=["tcp:port=0"])  # never listened on
        server.connections = {connection: {}}
        server.create_application(connection, {"type": "websocket"})
        await server.connections[connection]["application_instance"]

    asyncio.run(create())
    return captured["send"]


def test_daphne_connections_get_a_direct_writer_that_writes_only_while_open():
    transport = StringTransport()
    connection = open_protocol(transport)
    write = direct_writer(daphne_send(connection))
    assert write is not None  # the fan-out's fast path is on under this daphne
    assert write(text_frames(["one"])) is True
    assert parse_frames(transport.value())[0].data == b"one"

    connection.state = WebSocketProtocol.STATE_CLOSING  # closing: the caller goes through ASGI
    assert write(text_frames(["two"])) is False
    connection.state = WebSocketProtocol.STATE_OPEN
    connection.send_state = WebSocketProtocol.SEND_STATE_INSIDE_MESSAGE  # autobahn mid-message
    assert write(text_frames(["three"])) is False
    assert len(parse_frames(transport.value())) == 1


def test_other_servers_sends_get_no_direct_writer():
    async def send(message):
        pass

    assert direct_writer(send) is None


@pytest.fixture
def tcp_pair():
    """A Twisted TCP server connection on a memory reactor, and its peer's socket."""
    listener = socket.create_server(("127.0.0.1", 0))
    peer = socket.create_connection(listener.getsockname())
    accepted, address = listener.accept()
    listener.close()
    accepted.setblocking(False)
    reactor = MemoryReactor()
    transport = tcp.Server(accepted, Protocol(), address, None, 1, reactor)
    peer.settimeout(2)
    yield transport, peer, reactor
    peer.close()
    accepted.close()


def test_send_now_sends_at_once_without_registering_for_writes(tcp_pair):
    transport, peer, reactor = tcp_pair
    send_now(transport, b"frames")
    assert peer.recv(100) == b"frames"
    assert transport not in reactor.getWriters()  # no epoll registration, nothing queued


def test_send_now_queues_behind_data_twisted_still_holds(tcp_pair):
    transport, peer, reactor = tcp_pair
    transport.write(b"first ")  # queued by Twisted until the reactor's next turn
    send_now(transport, b"second")
    peer.setblocking(False)
    with pytest.raises(BlockingIOError):
        peer.recv(100)  # nothing jumped the queue
    transport.doWrite()
    peer.settimeout(2)
    assert peer.recv(100) == b"first second"


def test_send_now_queues_what_the_kernel_does_not_take(tcp_pair):
    transport, peer, reactor = tcp_pair
    data = bytes(range(256)) * 64 * 1024  # 16 MiB: more than the socket buffers hold
    send_now(transport, data)
    send_now(transport, b"after")  # stays behind the rest of `data`
    assert transport in reactor.getWriters()  # the remainder waits for the reactor
    received = bytearray()
    while len(received) < len(data) + 5:
        chunk = peer.recv(1 << 20)
        assert chunk
        received += chunk
        if transport in reactor.getWriters():
            transport.doWrite()
    assert bytes(received) == data + b"after"


def test_send_now_uses_the_transports_own_write_for_anything_else():
    transport = StringTransport()  # not a plain TCP connection (TLS, tests, another reactor)
    send_now(transport, b"frames")
    assert transport.value() == b"frames"
