"""Cheaper WebSocket frames in daphne: autobahn's debug-log arguments without the colours.

For every frame it writes, autobahn calls `self.log.debug("{func} sent {data_len} bytes for peer
{peer}", func=hltype(...), peer=hlval(...), data_len=hlval(...))`. The arguments are built before
the logger finds that debug is off: `hltype` inspects the method's qualified name and both wrap
their text in terminal colour codes. With 100 workspace sockets that was about an eighth of
daphne's CPU per frame (profile in docs/BENCHMARKS.md, "Live events"). The replacements give the
same text without colours, at the cost of an attribute lookup; log messages keep their content.
Only `autobahn.websocket.protocol`'s own references are replaced."""

from autobahn.websocket import protocol


def _plain_type(obj) -> str:
    return f"<{getattr(obj, '__qualname__', type(obj).__qualname__)}>"


def _plain_value(value, color=None, bold=True):
    return value


def install() -> None:
    protocol.hltype = _plain_type
    protocol.hlval = _plain_value
