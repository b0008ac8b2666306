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
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from machine import speed
from ws_load import SECRET, cpu_seconds, drain_clients, measure_latency, pct, throughput

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SETUP = """
from django.contrib.auth import get_user_model
from core.tokens import token_issue
from agents.models import Agent
from tickets.models import Queue
user, _ = get_user_model().objects.get_or_create(
    username="wsbench-agent@example.com", defaults={"email": "wsbench-agent@example.com"})
Agent.objects.update_or_create(user=user, defaults=dict(
    all_queues=True, max_tickets=10**6, is_available=True, languages=["en"], timezone="UTC",
    working_hours={str(d): [["00:00", "24:00"]] for d in range(7)}))
Queue.objects.get_or_create(slug="general", defaults={"name": "General"})
print(token_issue(user=user))
"""


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


# ---------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs while iterating")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8, help="webhook senders")
    parser.add_argument("--event", default="ticket.assigned")
    parser.add_argument(
        "--read-every",
        type=float,
        default=0.02,
        metavar="SECONDS",
        help="throughput phase: the clients read their sockets at most this often (0: at once)",
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
        print(f"channel layer: {layer}; background sender")
        print(
            "throughput clients read "
            + (f"every {args.read_every * 1000:.0f} ms" if args.read_every else "at once")
        )
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
        server_cpu: dict[bool, list[tuple[float, int]]] = {False: [], True: []}
        ctx = multiprocessing.get_context("spawn")

        def run_without() -> None:
            close_open_tickets(db_url)
            servers = ((gunicorn.pid, True), (daphne.pid, False))
            before = [cpu_seconds(pid, with_children=kids) for pid, kids in servers]
            rate, errors, count = throughput(http_port, seconds, args.concurrency)
            cpu = [
                cpu_seconds(pid, with_children=kids) - b
                for (pid, kids), b in zip(servers, before, strict=True)
            ]
            without.append(rate)
            server_cpu[False].append((sum(cpu), count))
            print(
                f"ingestion, no clients:          {rate:7.1f} tickets/s ({errors} errors; "
                f"gunicorn {cpu[0]:.1f}, daphne {cpu[1]:.1f} CPU s)"
            )

        def run_with() -> None:
            ready, stop_event = ctx.Event(), ctx.Event()
            received, reads = ctx.Value("l", 0), ctx.Value("l", 0)
            proc = ctx.Process(
                target=drain_clients,
                args=(
                    ws_url,
                    origin,
                    args.clients,
                    ready,
                    stop_event,
                    received,
                    reads,
                    args.read_every,
                ),
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
            server_cpu[True].append((cpu[0] + cpu[1], count))
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
        per_ticket = {
            clients: 1000 * sum(c for c, _ in runs) / max(1, sum(n for _, n in runs))
            for clients, runs in server_cpu.items()
        }
        print(
            f"server CPU per ticket (gunicorn + daphne): {per_ticket[False]:.1f} ms without "
            f"clients, {per_ticket[True]:.1f} ms with them "
            f"({(per_ticket[True] / per_ticket[False] - 1) * 100:+.1f}%)"
        )
        print(
            f"ingestion: {base:.1f} → {loaded:.1f} tickets/s with {args.clients} clients "
            f"({(1 - loaded / base) * 100:+.1f}% slower)"
        )
    finally:
        stop(gunicorn)
        stop(daphne)


if __name__ == "__main__":
    main()
