"""daphne's per-frame debug-log arguments are plain (helpdesk.ws_frames, installed by the ASGI
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
