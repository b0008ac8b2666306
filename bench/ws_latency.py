#!/usr/bin/env python
"""Live events under load: how fast `ticket.assigned` reaches 100 WebSocket clients, and what
100 connected clients cost ingestion.

The production layout of `make serve`: gunicorn (2 sync workers) answers the ingestion webhook,
daphne holds the WebSockets, Redis carries the channel layer, PostgreSQL stores the tickets.

1. Latency: 100 clients on `/ws/workspace/` (one agent's token). One ticket at a time is posted
   to `POST /api/webhooks/support/ingest`; for each client we take the time from the webhook's
   answer being read to that ticket's `ticket.assigned` arriving (an event that arrives before
   the answer counts as 0). Reported: p50/p99 over every delivery, and over "the last of the 100".
2. Throughput: tickets/s of the webhook with N concurrent keep-alive senders, with no WebSocket
   client and with 100 clients connected to the workspace (each receiving every event of every
   ticket), run in a separate process on the same cores; 6 alternating 8 s rounds, every other
   one with the clients first (ABBA; --quick: one 5 s round each). Those clients only count frames
   (`FrameCounter`), so the load generator's own CPU stays small next to daphne's; every run
   starts with the previous runs' tickets closed, so the agent's open load does not drift.

Usage: .venv/bin/python bench/ws_latency.py [--quick] [--clients 100]
Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL; a database `<name>_wsbench` is recreated).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import websockets
from machine import speed

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECRET = "wsbench-secret"
SETUP = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from agents.models import Agent
from tickets.models import Queue
user, _ = get_user_model().objects.get_or_create(
    username="wsbench-agent@example.com", defaults={"email": "wsbench-agent@example.com"})
Agent.objects.update_or_create(user=user, defaults=dict(
    all_queues=True, max_tickets=10**6, is_available=True, languages=["en"], timezone="UTC",
    working_hours={str(d): [["00:00", "24:00"]] for d in range(7)}))
Queue.objects.get_or_create(slug="general", defaults={"name": "General"})
print(Token.objects.get_or_create(user=user)[0].key)
"""
WORDS = (
    "login password invoice refund crash app update payment card account error screen sync "
    "export report charge twice subscription cancel email verify phone android ios slow"
).split()


# ---------------------------------------------------------------- environment and processes
def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk")
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "helpdesk") + "_wsbench"
    return urlunsplit(parts._replace(path="/" + name))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def close_open_tickets(url: str) -> None:
    """Close every open ticket (SQL, no events), so each throughput run starts with the agent's
    load where a real agent's stays: assignment counts the agent's open tickets, and without
    this every run would pay for all the tickets of the runs before it (a drift that made the
    later runs, the ones with clients included, slower for a reason unrelated to them)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE tickets_ticket SET status = 'closed', closed_at = now() "
            "WHERE status <> 'closed'"
        )
        conn.execute("UPDATE agents_agentload SET open_tickets = 0")
        conn.execute("VACUUM ANALYZE tickets_ticket")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, procs: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise SystemExit("a server exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on {port}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=8)
    except subprocess.TimeoutExpired:  # daphne may ignore SIGTERM after keep-alive load
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


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


def drain_clients(url: str, origin: str, n: int, ready, stop_event, received, reads) -> None:
    """A separate process: n clients that count every message until told to stop."""
    import selectors

    clients = [FrameCounter(url, origin) for _ in range(n)]
    selector = selectors.DefaultSelector()
    for client in clients:
        selector.register(client.sock, selectors.EVENT_READ, client)
    ready.set()
    while not stop_event.is_set():
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


# ---------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs while iterating")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8, help="webhook senders")
    parser.add_argument("--event", default="ticket.assigned")
    parser.add_argument(
        "--inline",
        action="store_true",
        help="compare: send events inside the request (HELPDESK_REALTIME_INLINE=1)",
    )
    args = parser.parse_args()
    tickets = 40 if args.quick else 200
    seconds = 5.0 if args.quick else 8.0
    rounds = 1 if args.quick else 6

    db_url = bench_database_url()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    recreate_database(db_url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "wsbench-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HELPDESK_WEBHOOK_SECRET": SECRET,
        "HELPDESK_THROTTLE_WEBHOOK": "10000000/min",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
        "HELPDESK_REALTIME_INLINE": "1" if args.inline else "",
        # The intake runs in the request here (no Celery worker is started), so the figure is the
        # live-event path itself; with the production default the worker's pickup comes on top.
        "HELPDESK_INGEST_DEFERRED": "0",
    }
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    token = (
        subprocess.run(
            [*manage, "shell", "-c", SETUP],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    http_port, ws_port = free_port(), free_port()
    gunicorn = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{http_port}",
            "--log-level",
            "warning",
            "helpdesk.wsgi:application",
        ],
        cwd=ROOT,
        env={**env, "CONN_MAX_AGE": "60"},
        start_new_session=True,
    )
    daphne = subprocess.Popen(
        [
            PY,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(ws_port),
            "-v",
            "0",
            "helpdesk.asgi:application",
        ],
        cwd=ROOT,
        env={**env, "CONN_MAX_AGE": "0"},
        start_new_session=True,
    )
    try:
        wait_port(http_port, [gunicorn, daphne])
        wait_port(ws_port, [gunicorn, daphne])
        ws_url = f"ws://127.0.0.1:{ws_port}/ws/workspace/?token={token}"
        origin = f"http://127.0.0.1:{ws_port}"
        throughput(http_port, 2.0, args.concurrency)  # warm up both workers and the caches

        layer = os.environ.get("HELPDESK_WS_LAYER") or "pubsub"
        print(f"channel layer: {layer}; {'inline sends' if args.inline else 'background sender'}")
        print(
            f"load average before measuring: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores); "
            f"{speed()} (bench/machine.py)"
        )
        every, last, missing = asyncio.run(
            measure_latency(ws_url, origin, args.clients, tickets, http_port, args.event)
        )
        print(
            f"latency of {args.event} to {args.clients} clients over {tickets} tickets "
            f"(ms after the webhook's answer):"
        )
        print(
            f"  every delivery: p50 {pct(every, 50):.1f}  p99 {pct(every, 99):.1f}  "
            f"max {max(every, default=float('nan')):.1f}  (n={len(every)}, missing {missing})"
        )
        print(f"  last of {args.clients}:  p50 {pct(last, 50):.1f}  p99 {pct(last, 99):.1f}")

        without, with_clients = [], []
        ctx = multiprocessing.get_context("spawn")

        def run_without() -> None:
            close_open_tickets(db_url)
            gunicorn_cpu = cpu_seconds(gunicorn.pid, with_children=True)
            rate, errors, _ = throughput(http_port, seconds, args.concurrency)
            gunicorn_cpu = cpu_seconds(gunicorn.pid, with_children=True) - gunicorn_cpu
            without.append(rate)
            print(
                f"ingestion, no clients:          {rate:7.1f} tickets/s ({errors} errors; "
                f"gunicorn {gunicorn_cpu:.1f} CPU s)"
            )

        def run_with() -> None:
            ready, stop_event = ctx.Event(), ctx.Event()
            received, reads = ctx.Value("l", 0), ctx.Value("l", 0)
            proc = ctx.Process(
                target=drain_clients,
                args=(ws_url, origin, args.clients, ready, stop_event, received, reads),
            )
            proc.start()
            if not ready.wait(60):
                raise SystemExit("clients did not connect")
            close_open_tickets(db_url)
            pids = ((gunicorn.pid, True), (daphne.pid, False), (proc.pid, False))
            cpu_before = [cpu_seconds(pid, with_children=kids) for pid, kids in pids]
            rate, errors, count = throughput(http_port, seconds, args.concurrency)
            cpu = [
                cpu_seconds(pid, with_children=kids) - before
                for (pid, kids), before in zip(pids, cpu_before, strict=True)
            ]
            time.sleep(1.0)
            stop_event.set()
            proc.join(30)
            with_clients.append(rate)
            frames = received.value / max(1, count * args.clients)
            print(
                f"ingestion, {args.clients} clients connected: {rate:7.1f} tickets/s "
                f"({errors} errors; {received.value} messages delivered, "
                f"{frames:.2f} per ticket and client, in "
                f"{reads.value / max(1, count * args.clients):.2f} socket reads)"
            )
            print(
                f"  CPU seconds in those {seconds:.0f} s: gunicorn {cpu[0]:.1f}, daphne {cpu[1]:.1f}, "
                f"the {args.clients} bench clients {cpu[2]:.1f}; daphne "
                f"{cpu[1] / max(1, received.value) * 1e6:.0f} µs per frame"
            )

        # Alternating, and every other round with the clients first (ABBA), so that the shared
        # cores' drifts in speed (up to a third between two runs a minute apart) fall on both.
        for round_ in range(rounds):
            for run in (run_without, run_with) if round_ % 2 == 0 else (run_with, run_without):
                run()
        base, loaded = statistics.mean(without), statistics.mean(with_clients)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}; {speed()}")
        print(
            f"ingestion: {base:.1f} → {loaded:.1f} tickets/s with {args.clients} clients "
            f"({(1 - loaded / base) * 100:+.1f}% slower)"
        )
    finally:
        stop(gunicorn)
        stop(daphne)


if __name__ == "__main__":
    main()
