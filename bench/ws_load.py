"""The load side of bench/ws_latency.py: signed webhook senders and WebSocket clients (the
`websockets` clients that time `ticket.assigned`, and the frame counters of the throughput runs,
which run in their own process)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import websockets

SECRET = "wsbench-secret"
WORDS = (
    "login password invoice refund crash app update payment card account error screen sync "
    "export report charge twice subscription cancel email verify phone android ios slow"
).split()


# ---------------------------------------------------------------- the ingestion client
def signed_payload() -> tuple[bytes, dict]:
    words = random.sample(WORDS, 6)
    body = json.dumps(
        {
            "external_id": f"wsbench-{uuid.uuid4()}",
            "channel": "email",
            "customer_email": f"customer{random.randrange(500)}@example.com",
            "subject": " ".join(words[:4]).capitalize(),
            "body": "Hello, " + " ".join(words) + ". Please help.",
        }
    ).encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Helpdesk-Signature": sig}


class Ingest:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def post(self) -> tuple[int, dict, float]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body, headers = signed_payload()
        try:
            conn.request("POST", "/api/webhooks/support/ingest", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.local.conn = None
            conn.close()
            return 0, {}, time.perf_counter()
        answered = time.perf_counter()
        try:
            payload = json.loads(data)
        except ValueError:
            payload = {}
        return response.status, payload, answered


def throughput(port: int, seconds: float, concurrency: int) -> tuple[float, int, int]:
    """(tickets/s, errors, tickets)"""
    ingest = Ingest(port)
    deadline = time.perf_counter() + seconds
    counts = [0] * concurrency
    errors = [0] * concurrency

    def worker(i: int) -> None:
        while time.perf_counter() < deadline:
            status, _, _ = ingest.post()
            if status == 201:
                counts[i] += 1
            else:
                errors[i] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    return sum(counts) / (time.perf_counter() - start), sum(errors), sum(counts)


def cpu_seconds(pid: int, *, with_children: bool = False) -> float:
    """User + system CPU time of a process (and its live children) from /proc."""
    pids = [pid]
    if with_children:
        try:
            pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            pass
    total = 0
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- WebSocket clients
async def open_clients(url: str, origin: str, n: int) -> list:
    clients = []
    for _ in range(n):
        ws = await websockets.connect(url, origin=origin, max_queue=None)
        ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ready["type"] == "workspace.ready", ready
        clients.append(ws)
    return clients


class FrameCounter:
    """A WebSocket client that only counts the frames it receives: the throughput phase's load
    generator, one plain non-blocking socket. A client library (`websockets` on asyncio) spent
    as much CPU per frame as daphne did to send it, on the same 2 cores, so the clients' own cost
    weighed as much as the server's in the slowdown; real agents' browsers do not run on the
    server. This one does the handshake, checks that the first message is `workspace.ready`,
    answers pings and counts every later message."""

    def __init__(self, url: str, origin: str) -> None:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n".encode()
        )
        self.buffer = bytearray()
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(65536) or b"?"  # b"?": closed; the check below fails
        head, _, rest = bytes(self.buffer).partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"no upgrade: {head[:200]!r}")
        self.buffer = bytearray(rest)
        self.ready, self.frames, self.reads, self.open = False, 0, 0, True
        while not self.ready:
            if not self.feed(b""):
                self.feed(self.sock.recv(65536))
        self.sock.setblocking(False)

    def feed(self, data: bytes) -> bool:
        """Take received bytes; True when a whole message was taken."""
        buffer = self.buffer
        buffer += data
        pos, size, took = 0, len(buffer), False
        while size - pos >= 2:
            head, length, start = buffer[pos], buffer[pos + 1] & 0x7F, pos + 2
            if length == 126:
                if size - pos < 4:
                    break
                length, start = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), pos + 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, start = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), pos + 10
            if size - start < length:
                break
            opcode = head & 0x0F
            if opcode in (0, 1, 2) and head & 0x80:  # the last (or only) frame of a message
                took = True
                if self.ready:
                    self.frames += 1
                else:
                    message = json.loads(bytes(buffer[start : start + length]))
                    if message.get("type") != "workspace.ready":
                        raise RuntimeError(f"first message: {message}")
                    self.ready = True
            elif opcode == 9:  # ping: answer with a (masked) pong
                self.send(0xA, bytes(buffer[start : start + length]))
            elif opcode == 8:
                self.open = False
            pos = start + length
        del buffer[:pos]
        return took

    def send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.setblocking(True)
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)
        self.sock.setblocking(False)

    def close(self) -> None:
        try:
            self.send(0x8, (1000).to_bytes(2, "big"))
        except OSError:
            pass
        self.sock.close()


def drain_clients(
    url: str, origin: str, n: int, ready, stop_event, received, reads, every: float = 0.0
) -> None:
    """A separate process: n clients that count every message until told to stop. With `every`
    > 0 they read at most once per `every` seconds (all sockets then), so what they cost the
    shared cores stays small; agents' browsers do not run on the server."""
    import selectors

    clients = [FrameCounter(url, origin) for _ in range(n)]
    selector = selectors.DefaultSelector()
    for client in clients:
        selector.register(client.sock, selectors.EVENT_READ, client)
    ready.set()
    while not stop_event.is_set():
        if every:
            time.sleep(every)
        for key, _ in selector.select(timeout=0.1):
            client = key.data
            try:
                data = client.sock.recv(262144)
            except BlockingIOError:
                continue
            if not data:
                selector.unregister(client.sock)
                continue
            client.reads += 1
            client.feed(data)
    received.value = sum(client.frames for client in clients)
    reads.value = sum(client.reads for client in clients)
    for client in clients:
        client.close()


async def measure_latency(url: str, origin: str, n: int, tickets: int, port: int, event: str):
    clients = await open_clients(url, origin, n)
    arrivals: dict[str, list[float]] = {}
    complete: dict[str, asyncio.Event] = {}

    def done_event(ticket_id: str) -> asyncio.Event:
        return complete.setdefault(ticket_id, asyncio.Event())

    async def read(ws) -> None:
        try:
            async for raw in ws:
                now = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") != event:
                    continue
                times = arrivals.setdefault(message["ticket_id"], [])
                times.append(now)
                if len(times) == n:
                    done_event(message["ticket_id"]).set()
        except websockets.ConnectionClosed:
            pass

    readers = [asyncio.create_task(read(ws)) for ws in clients]
    ingest = Ingest(port)
    loop = asyncio.get_running_loop()
    every, last, missing = [], [], 0
    with ThreadPoolExecutor(1) as pool:
        for _ in range(tickets):
            status, payload, answered = await loop.run_in_executor(pool, ingest.post)
            if status != 201:
                missing += n
                continue
            ticket_id = payload["ticket_id"]
            try:
                await asyncio.wait_for(done_event(ticket_id).wait(), 5)
            except TimeoutError:
                pass
            times = arrivals.get(ticket_id, [])
            missing += n - len(times)
            delays = [max(0.0, t - answered) * 1000 for t in times]
            every += delays
            if len(delays) == n:
                last.append(max(delays))
            await asyncio.sleep(0.02)
    for ws in clients:
        await ws.close()
    await asyncio.gather(*readers, return_exceptions=True)
    return every, last, missing


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
