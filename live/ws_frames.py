"""Cheaper WebSocket frames in daphne.

1. autobahn's debug-log arguments without the colours. For every frame it writes, autobahn calls
   `self.log.debug("{func} sent {data_len} bytes for peer {peer}", func=hltype(...),
   peer=hlval(...), data_len=hlval(...))`. The arguments are built before the logger finds that
   debug is off: `hltype` inspects the method's qualified name and both wrap their text in
   terminal colour codes. With 100 workspace sockets that was about an eighth of daphne's CPU per
   frame (profile in docs/BENCHMARKS.md, "Live events"). The replacements give the same text
   without colours, at the cost of an attribute lookup; log messages keep their content. Only
   `autobahn.websocket.protocol`'s own references are replaced.

2. Ready-made frames for the workspace fan-out (`direct_writer`, `text_frames`). A server's frames
   are not masked, so the bytes of one event are the same for every socket: the hub builds them
   once and writes them to each daphne connection's transport. Through ASGI each frame of each
   socket went `websocket.send` → daphne's `handle_reply` → autobahn's `sendMessage` (state checks,
   frame header, traffic statistics, "masking" with a null masker) → the transport. With 100
   workspace sockets daphne spent 15 µs of CPU per frame that way, 11 µs with the ready-made
   frames and 5-6 µs when they are also sent at once (`send_now`; docs/BENCHMARKS.md, "Live
   events"). Anything else (a socket that is not daphne's, or one that is closing) goes the
   ordinary ASGI way.
"""

import functools
import os
from collections.abc import Callable, Iterable

from autobahn.websocket import protocol
from twisted.internet import tcp

# Only for bench/ws_latency.py's comparisons: HELPDESK_WS_DIRECT_WRITES=0 sends every frame
# through ASGI.
_DIRECT = os.environ.get("HELPDESK_WS_DIRECT_WRITES", "1") != "0"


def _plain_type(obj) -> str:
    return f"<{getattr(obj, '__qualname__', type(obj).__qualname__)}>"


def _plain_value(value, color=None, bold=True):
    return value


def install() -> None:
    protocol.hltype = _plain_type
    protocol.hlval = _plain_value


def text_frames(texts: Iterable[str]) -> bytes:
    """Unmasked, unfragmented WebSocket text frames (RFC 6455 §5.2), one per text, as a server
    sends them."""
    out = bytearray()
    for text in texts:
        payload = text.encode()
        size = len(payload)
        if size < 126:
            out += bytes((0x81, size))
        elif size < 65536:
            out += bytes((0x81, 126)) + size.to_bytes(2, "big")
        else:
            out += bytes((0x81, 127)) + size.to_bytes(8, "big")
        out += payload
    return bytes(out)


def direct_writer(send) -> Callable[[bytes], bool] | None:
    """For the ASGI `send` of a daphne WebSocket connection, a function that writes ready-made
    frames (`text_frames`) to that connection and says whether it did: only while the socket is
    open and autobahn is not in the middle of a message of its own, so frames never interleave
    with a close or with another frame. None when `send` is not daphne's (tests, other servers):
    the caller then sends through ASGI."""
    if not _DIRECT:
        return None
    from daphne.server import Server

    if not (
        isinstance(send, functools.partial)
        and getattr(send.func, "__func__", None) is Server.handle_reply
        and len(send.args) == 1
        and isinstance(send.args[0], protocol.WebSocketServerProtocol)
    ):
        return None
    connection = send.args[0]
    open_ = protocol.WebSocketProtocol.STATE_OPEN
    ground = protocol.WebSocketProtocol.SEND_STATE_GROUND

    def write(frames: bytes) -> bool:
        if connection.state != open_ or connection.send_state != ground:
            return False
        send_now(connection.transport, frames)
        return True

    return write


def send_now(transport, data: bytes) -> None:
    """`transport.write(data)`, but sent at once when `transport` is a plain TCP connection with
    nothing of its own waiting to go, as asyncio's transports do. Twisted's `write` only queues:
    it registers the socket for writing (an `epoll_ctl` and asyncio's writer bookkeeping), sends
    on the reactor's next turn, then unregisters it (another `epoll_ctl`); for 100 workspace
    sockets per ticket that machinery cost about as much CPU as the sends themselves. Whatever the
    kernel does not take at once, a TLS connection, a closing one, or a socket error goes to
    `transport.write`, in order, and Twisted handles it as always."""
    if (
        type(transport) is tcp.Server
        and not transport.TLS
        and transport.connected
        and not transport.disconnecting
        and not transport._writeDisconnected
        and not transport._tempDataBuffer
        and transport.offset == len(transport.dataBuffer)
    ):
        try:
            sent = transport.socket.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:  # reset or broken: Twisted's own write finds out and closes it
            sent = 0
        if sent == len(data):
            return
        data = data[sent:]
    transport.write(data)
