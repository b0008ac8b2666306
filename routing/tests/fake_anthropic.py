"""A local stand-in for the Anthropic Messages API, so tests run the real SDK over real HTTP.

`FakeAnthropic` is a threaded http.server on 127.0.0.1 and a random port. Set `mode` to choose
the answer to `POST /v1/messages`:
  "tool_use" (a route_ticket call with `tool_input`), "no_tool" (plain text), "malformed"
  (a 200 whose body is not JSON), "429", "500", "slow" (answers after `delay` seconds).
Every request body is kept in `requests` for assertions."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass

    def _error(self, status: int, kind: str, message: str, headers: dict | None = None) -> None:
        body = {"type": "error", "error": {"type": kind, "message": message}}
        self._send(status, json.dumps(body).encode(), headers)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        fake = self.server.fake
        fake.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "json": payload,
            }
        )
        mode = fake.mode
        if self.path.rstrip("/") != "/v1/messages":
            return self._error(404, "not_found_error", "Unknown path.")
        if mode == "429":
            return self._error(429, "rate_limit_error", "Slow down.", {"retry-after": "0"})
        if mode == "500":
            return self._error(500, "api_error", "Internal error.")
        if mode == "malformed":
            return self._send(200, b'{"id": "msg_1", "content": [ {"type": "tool_use", ')
        if mode == "slow":
            time.sleep(fake.delay)
        if mode == "no_tool":
            content = [{"type": "text", "text": "I think this is billing."}]
        else:
            content = [
                {
                    "type": "tool_use",
                    "id": "toolu_01",
                    "name": payload.get("tool_choice", {}).get("name", "route_ticket"),
                    "input": fake.tool_input,
                }
            ]
        body = {
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": payload.get("model", "claude-test"),
            "content": content,
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": fake.input_tokens, "output_tokens": fake.output_tokens},
        }
        self._send(200, json.dumps(body).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: "FakeAnthropic"


class FakeAnthropic:
    def __init__(self) -> None:
        self.mode = "tool_use"
        self.tool_input: dict = {}
        self.delay = 3.0
        self.input_tokens = 420
        self.output_tokens = 38
        self.requests: list[dict] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeAnthropic":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
