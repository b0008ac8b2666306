"""Soak test: production mode (gunicorn, daphne, Celery worker and beat, PostgreSQL, Redis) under
steady load for a long spell, checking that nothing is lost and nothing grows.

Load, all at once: signed webhook tickets and inbound e-mail (raw rfc822) at 70 % of the
measured peak intake (`--rate` to set it), N workspace WebSocket clients (the demo agents'
tokens), agents taking their assigned tickets through the API (in_progress, a public reply,
resolved), and beat running the SLA monitor and the other schedules. The peak is measured first
(unless `--rate`): the senders post as fast as they can for a short spell and the peak is the
tickets stored divided by the seconds until the worker had routed them all (end to end, since
the soak must route everything it takes in).

Report: tickets in (201 answers) = tickets stored = tickets routed, errors (any other answer,
socket error or dropped WebSocket), p50/p99 per route, and VmRSS of every server process (the
serve.py children and their children) at the start and the end of the soak.

    .venv/bin/python bench/soak.py --quick   # 2 minutes, 50 WebSocket clients
    .venv/bin/python bench/soak.py           # 10 minutes, 200 WebSocket clients
    .venv/bin/python bench/soak.py --duration 300 --rate 40 --json

Database hd_bench_soak (dropped and recreated; BENCH_DATABASE_URL), Redis db 2 (BENCH_REDIS_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import http.client
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from ingest import database_prepare, shell_answer  # noqa: E402
from machine import speed  # noqa: E402
from procs import Supervisor, wait_for_port  # noqa: E402
from ws_load import WORDS, pct  # noqa: E402

SECRET = "soak-webhook-secret"
TOKENS = """
import json
from core.tokens import token_issue
from agents.models import Agent
print(json.dumps([[a.id, token_issue(user=a.user)] for a in Agent.objects.select_related("user")]))
"""


def sign(raw: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.created = defaultdict(int)
        self.samples: dict[str, str] = {}

    def record(self, route: str, ms: float) -> None:
        with self.lock:
            self.latency[route].append(ms)

    def error(self, route: str, what: str) -> None:
        with self.lock:
            self.errors[route] += 1
            self.samples.setdefault(route, what[:300])


class Client:
    """One keep-alive HTTP connection (per thread)."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port, self.stats, self.conn = port, stats, None

    def call(self, route, method, path, body=None, headers=None, ok=(200, 201)):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = None
            self.stats.error(route, repr(exc))
            return None, None
        self.stats.record(route, (time.perf_counter() - start) * 1000)
        if response.status not in ok:
            self.stats.error(route, f"{response.status} {data[:200]!r}")
            return response.status, None
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, None


def ticket_post(client: Client, run: str, n: int) -> bool:
    words = random.sample(WORDS, 6)
    raw = json.dumps(
        {
            "external_id": f"soak-{run}-{n}",
            "channel": "email",
            "customer_email": f"c{n % 300}@soak-{run}.example",
            "subject": " ".join(words[:4]).capitalize(),
            "body": "Hello, " + " ".join(words) + ". Please help.",
        }
    ).encode()
    headers = {"Content-Type": "application/json", "X-Helpdesk-Signature": sign(raw)}
    status, _ = client.call(
        "POST webhook ingest", "POST", "/api/webhooks/support/ingest", raw, headers
    )
    return status == 201


def mail_post(client: Client, run: str, n: int) -> bool:
    words = random.sample(WORDS, 6)
    raw = (
        f"From: Customer {n} <m{n % 300}@soak-{run}.example>\r\n"
        "To: support@example.com\r\n"
        f"Subject: {' '.join(words[:4]).capitalize()}\r\n"
        f"Message-ID: <soak-{run}-{n}@soak-{run}.example>\r\n"
        "Date: Sat, 05 Dec 2026 12:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello, {' '.join(words)}. Please help.\r\n"
    ).encode()
    headers = {"Content-Type": "message/rfc822", "X-Helpdesk-Signature": sign(raw)}
    status, _ = client.call(
        "POST webhook email", "POST", "/api/webhooks/email/inbound", raw, headers
    )
    return status == 201


def senders(port, run, stats, rate, seconds, mail_share, threads, stop) -> None:
    """Post `rate` new tickets/s for `seconds` (rate 0: as fast as possible), `mail_share` of them
    as inbound mail; each post has its own scheduled time so the rate does not drift."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    start = time.perf_counter()

    def work() -> None:
        client = Client(port, stats)
        while not stop.is_set():
            with lock:
                n = next(counter)
            due = start + (n / rate if rate else 0)
            if due - start >= seconds or time.perf_counter() - start >= seconds:
                return
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            is_mail = random.random() < mail_share
            if (mail_post if is_mail else ticket_post)(client, run, n):
                with stats.lock:
                    stats.created["mail" if is_mail else "webhook"] += 1

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def agent_loop(port, agent_id, token, stats, stop, done) -> None:
    """List own assigned tickets; each: in_progress, a public reply, resolved."""
    client = Client(port, stats)
    auth = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    while not stop.is_set():
        _, page = client.call(
            "GET tickets list", "GET", "/api/v1/tickets/?status=assigned&page_size=20", None, auth
        )
        mine = [
            t["id"]
            for t in (page or {}).get("results", [])
            if (t.get("assigned_agent") or {}).get("id") == agent_id
        ]
        for ticket_id in mine:
            if stop.is_set():
                break
            base = f"/api/v1/tickets/{ticket_id}"
            for route, path, body in (
                ("POST status", f"{base}/status/", {"status": "in_progress"}),
                ("POST comment", f"{base}/comments/", {"body": "Thanks, we are on it."}),
                ("POST status", f"{base}/status/", {"status": "resolved"}),
            ):
                client.call(route, "POST", path, json.dumps(body).encode(), auth)
            with stats.lock:
                done[0] += 1
        stop.wait(0.5 if mine else 2.0)


async def ws_clients(url_for, origin, n, stats, stop, counts) -> None:
    import websockets

    async def one(i: int) -> None:
        start = time.perf_counter()
        try:
            async with websockets.connect(url_for(i), origin=origin, max_queue=None) as ws:
                ready = json.loads(await asyncio.wait_for(ws.recv(), 30))
                stats.record("WS connect", (time.perf_counter() - start) * 1000)
                if ready.get("type") != "workspace.ready":
                    stats.error("WS", f"first message {ready}")
                counts["open"] += 1
                while not stop.is_set():
                    try:
                        await asyncio.wait_for(ws.recv(), 1)
                        counts["frames"] += 1
                    except TimeoutError:
                        pass
        except Exception as exc:  # noqa: BLE001 - every drop is an error of the soak
            stats.error("WS", repr(exc))

    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(one(i)))
        await asyncio.sleep(0.02)
    await asyncio.gather(*tasks)


# ---------------------------------------------------------------- processes and memory
def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        one = todo.pop()
        try:
            kids = [
                int(c)
                for task in Path(f"/proc/{one}/task").iterdir()
                for c in (task / "children").read_text().split()
            ]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def memory(root_pids: list[int]) -> dict[str, float]:
    """VmRSS MB of every process under the supervisor's children, keyed name:pid."""
    out = {}
    for pid in [p for root in root_pids for p in [root, *descendants(root)]]:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), 0)
        name = next(
            (w for w in ("gunicorn", "daphne", "worker", "beat", "serve.py") if w in cmd), cmd[:30]
        )
        out[f"{name}:{pid}"] = round(int(rss) / 1024, 1)
    return out


def sql(env: dict, query: str, params=()) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        return conn.execute(query, params).fetchone()[0]


STORED = "SELECT count(*) FROM tickets_ticket WHERE customer_email LIKE %s"
ROUTED = (
    "SELECT count(DISTINCT t.id) FROM tickets_ticket t JOIN tickets_ticketevent e"
    " ON e.ticket_id = t.id AND e.kind = 'routed' WHERE t.customer_email LIKE %s"
)


def wait_routed(env, like, timeout) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if sql(env, STORED, [like]) == sql(env, ROUTED, [like]):
            return round(time.monotonic() - start, 1)
        time.sleep(1)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description="Soak test of production mode")
    parser.add_argument("--quick", action="store_true", help="2 minutes, 50 WebSocket clients")
    parser.add_argument(
        "--warmup", type=int, help="seconds of load before the memory baseline (20 quick, 60)"
    )
    parser.add_argument("--duration", type=int, help="seconds (default 600, --quick 120)")
    parser.add_argument("--ws-clients", type=int, help="default 200, --quick 50")
    parser.add_argument("--rate", type=float, help="new tickets/s (default: 70%% of the peak)")
    parser.add_argument("--peak-seconds", type=int, default=15)
    parser.add_argument("--mail-share", type=float, default=0.1)
    parser.add_argument("--json", action="store_true", help="print the report as JSON only")
    parser.add_argument("--port", type=int, default=8821)
    args = parser.parse_args()
    duration = args.duration or (120 if args.quick else 600)
    n_ws = args.ws_clients if args.ws_clients is not None else (50 if args.quick else 200)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.production",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hd_bench_soak"
        ),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2"),
        "HELPDESK_MODEL_DIR": str(ROOT / "var" / "bench-soak-models"),
        "SECRET_KEY": "bench-soak",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HELPDESK_WEBHOOK_SECRET": SECRET,
        "SECURE_COOKIES": "0",
        "CONN_MAX_AGE": "60",
        "PORT": str(args.port),
        "WS_PORT": str(args.port + 1),
        "LOG_LEVEL": "WARNING",
        "WEB_ACCESS_LOG": "off",
        "HELPDESK_THROTTLE_WEBHOOK": "100000000/min",
        "HELPDESK_THROTTLE_USER": "100000000/min",
    }
    log = print if not args.json else (lambda *a, **k: print(*a, file=sys.stderr, **k))
    database_prepare(env, train=False)
    agents = json.loads(shell_answer(env, TOKENS))
    log(f"[soak] {len(agents)} agents; {speed()}")
    server = Supervisor(env, stop_timeout=20)
    server.start(
        "serve",
        [
            sys.executable,
            str(ROOT / "scripts" / "serve.py"),
            *("--only", "web", "--only", "ws", "--only", "worker", "--only", "beat"),
            "--no-migrate",
        ],
    )
    report: dict = {"machine_speed": [speed()]}
    try:
        for port in (args.port, args.port + 1):
            if not wait_for_port("127.0.0.1", port, timeout=90, procs=server):
                print("the servers did not come up", file=sys.stderr)
                return 1
        time.sleep(3)
        stop = threading.Event()
        # peak: as fast as 8 threads can post, then seconds until the worker routed them all
        rate = args.rate
        if not rate:
            peak_run, peak_stats = uuid.uuid4().hex[:8], Stats()
            start = time.monotonic()
            senders(args.port, peak_run, peak_stats, 0, args.peak_seconds, 0, 8, stop)
            drained = wait_routed(env, f"%@soak-{peak_run}.example", 300)
            stored = sql(env, STORED, [f"%@soak-{peak_run}.example"])
            peak = stored / (time.monotonic() - start)
            rate = round(0.7 * peak, 1)
            report["peak"] = {
                "posted_s": args.peak_seconds,
                "tickets": stored,
                "routed_all_after_s": drained,
                "end_to_end_tickets_per_s": round(peak, 1),
                "webhook_p99_ms": round(pct(peak_stats.latency["POST webhook ingest"], 99), 1),
            }
            log(f"[soak] peak {report['peak']}; soak at {rate}/s")
        run, stats = uuid.uuid4().hex[:8], Stats()
        like = f"%@soak-{run}.example"
        counts = {"open": 0, "frames": 0}
        resolved = [0]
        tokens = [token for _, token in agents]
        ws_url = f"ws://127.0.0.1:{args.port + 1}/ws/workspace/?token="
        ws_thread = threading.Thread(
            target=lambda: asyncio.run(
                ws_clients(
                    lambda i: ws_url + tokens[i % len(tokens)],
                    f"http://127.0.0.1:{args.port + 1}",
                    n_ws,
                    stats,
                    stop,
                    counts,
                )
            )
        )
        ws_thread.start()
        time.sleep(max(5, n_ws * 0.03))
        roots = [proc.pid for _, proc in server.children]
        agent_threads = [
            threading.Thread(target=agent_loop, args=(args.port, aid, tok, stats, stop, resolved))
            for aid, tok in agents
        ]
        for thread in agent_threads:
            thread.start()
        started = time.monotonic()
        # The memory baseline is read after a warm-up at the same load: a process's first
        # requests load the classifier, compile templates and fill pools, which is no leak.
        warmup = args.warmup if args.warmup is not None else (20 if args.quick else 60)
        if warmup:
            log(f"[soak] warm-up: {warmup} s at {rate} tickets/s")
            senders(args.port, run, stats, rate, warmup, args.mail_share, 8, threading.Event())
        report["memory_start_mb"] = memory(roots)
        report["warmup_s"] = warmup
        log(f"[soak] {duration} s at {rate} tickets/s, {n_ws} WebSocket clients open: {counts}")
        senders(args.port, run, stats, rate, duration, args.mail_share, 8, threading.Event())
        elapsed = time.monotonic() - started
        report["memory_end_mb"] = memory(roots)
        stop.set()
        for thread in agent_threads:
            thread.join()
        ws_thread.join()
        report["routed_all_after_load_s"] = wait_routed(env, like, 180)
        report["servers_alive"] = server.dead() is None
    finally:
        server.stop()
    tickets_in = stats.created["webhook"] + stats.created["mail"]
    start_mem, end_mem = report["memory_start_mb"], report["memory_end_mb"]
    growth = {
        key: round((end_mem[key] - start_mem[key]) / start_mem[key] * 100, 1)
        for key in start_mem
        if key in end_mem and start_mem[key]
    }
    report.update(
        {
            "duration_s": round(elapsed, 1),
            "rate_target_per_s": rate,
            "rate_achieved_per_s": round(tickets_in / elapsed, 1),
            "ws_clients": n_ws,
            "ws_clients_opened": counts["open"],
            "ws_frames_received": counts["frames"],
            "tickets_in": {**stats.created, "total": tickets_in},
            "tickets_stored": sql(env, STORED, [like]),
            "tickets_routed": sql(env, ROUTED, [like]),
            "tickets_resolved_by_agents": resolved[0],
            "sla_monitor_runs": sql(
                env,
                "SELECT coalesce(sum(total_run_count), 0) FROM django_celery_beat_periodictask"
                " WHERE task = 'sla.tasks.sla_monitor'",
            ),
            "errors": dict(stats.errors),
            "error_samples": stats.samples,
            "routes": {
                route: {
                    "n": len(values),
                    "p50_ms": round(pct(values, 50), 1),
                    "p99_ms": round(pct(values, 99), 1),
                }
                for route, values in sorted(stats.latency.items())
            },
            "memory_growth_percent": growth,
        }
    )
    report["machine_speed"].append(speed())
    no_loss = tickets_in == report["tickets_stored"] == report["tickets_routed"]
    errors = sum(stats.errors.values())
    worst = max(growth.values(), default=0.0)
    print(json.dumps(report, indent=2))
    if not args.json:
        print(
            f"\n{'OK' if no_loss else 'LOSS'}: in {tickets_in} = stored {report['tickets_stored']}"
            f" = routed {report['tickets_routed']}; errors {errors}; worst memory growth "
            f"{worst:+.1f} %; {report['rate_achieved_per_s']} tickets/s for {duration} s"
        )
    return 0 if no_loss and errors == 0 and worst < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
