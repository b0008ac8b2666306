"""`bench/ingest.py --ws-clients N`: what live events cost ingestion, on the production path.

The same server as bench/ingest.py (`scripts/serve.py`: gunicorn with 2 sync workers, and unless
`--no-worker` a Celery worker taking the deferred intake, which routes, assigns and publishes the
live events) plus daphne (`--only ws`). The new-ticket phase of bench/ingest.py (wrk, new
external ids, signed) runs four times, ABBA: without clients, with N clients holding
`/ws/workspace/`, with them, without them (the shared cores' speed drifts between phases). The
clients are one all-queue agent's sockets (that agent is never assigned anything: it is marked
unavailable), so each receives every event of every ticket; they are bench/ws_load.py's frame
counters in their own process, reading every 20 ms (`--read-every`; 0: at once).

Reported per phase: new tickets/s, p50/p99, frames the clients received, CPU ms per post of each
server process; then the slowdown (mean of the phases with clients against those without).
With the deferred intake the webhook itself publishes nothing: the events come from the worker
at its routing pace, on the same cores. `HELPDESK_INGEST_DEFERRED=0 ... --no-worker` runs the
intake in the request instead, so every ticket's events go out at the ingestion rate (the case
bench/ws_latency.py measures with its own load generator)."""

from __future__ import annotations

import multiprocessing
import statistics
import sys
import time
from pathlib import Path

from ingest import bodies_file, run_wrk, shell_answer, warm_up
from ws_load import cpu_seconds, drain_clients

AGENT = """
from django.contrib.auth import get_user_model
from core.tokens import token_issue
from agents.models import Agent
user, _ = get_user_model().objects.get_or_create(
    username="bench-ws@example.com", defaults={"email": "bench-ws@example.com"})
Agent.objects.update_or_create(user=user, defaults=dict(
    all_queues=True, is_available=False, max_tickets=1, languages=["en"], timezone="UTC"))
print(token_issue(user=user))
"""


ROUTED = (
    "from tickets.models import Ticket; "
    "print(Ticket.objects.filter(intake_pending=False, external_id__startswith='bench-').count())"
)


def phase(args, env, bodies: Path, duration: int, url: str, origin: str, clients: int) -> dict:
    """One new-ticket phase of `duration` seconds, with `clients` workspace sockets open."""
    ctx = multiprocessing.get_context("spawn")
    proc = None
    if clients:
        ready, stop_event = ctx.Event(), ctx.Event()
        received, reads = ctx.Value("l", 0), ctx.Value("l", 0)
        proc = ctx.Process(
            target=drain_clients,
            args=(url, origin, clients, ready, stop_event, received, reads, args.read_every),
        )
        proc.start()
        if not ready.wait(60):
            raise SystemExit("the WebSocket clients did not connect")
        client_cpu = cpu_seconds(proc.pid)
    routed = int(shell_answer(env, ROUTED))
    result = run_wrk(args, bodies, duration)
    routed = int(shell_answer(env, ROUTED)) - routed
    seconds = result["duration_us"] / 1e6
    out = {
        "clients": clients,
        "tickets_per_s": round(result["status"]["201"] / seconds, 1),
        "p50_ms": round(result["p50_us"] / 1000, 1),
        "p99_ms": round(result["p99_us"] / 1000, 1),
        "errors": sum(v for k, v in result["status"].items() if k not in ("200", "201")),
        # taken in by the intake (routed, assigned, announced) during the phase, about
        "routed_per_s": round(routed / seconds, 1),
        "cpu_ms_per_post": result["cpu_ms_per_post"],
    }
    if proc is not None:
        out["client_cpu_s"] = round(cpu_seconds(proc.pid) - client_cpu, 2)
        time.sleep(1.0)  # frames still on their way
        stop_event.set()
        proc.join(30)
        out["frames_per_client"] = received.value // clients
        out["frames_per_ticket_and_client"] = round(
            received.value / clients / max(1, result["status"]["201"]), 2
        )
    return out


def live_events_cost(args, env: dict, run: str, folder: Path, duration: int) -> dict:
    """The four phases against the running server; the report."""
    token = shell_answer(env, AGENT)
    ws_port = int(env["WS_PORT"])
    url = f"ws://127.0.0.1:{ws_port}/ws/workspace/?token={token}"
    origin = f"http://127.0.0.1:{ws_port}"
    warm_up(args.port, run, workers=args.web_workers)
    unique = max(4000, duration * 2000)
    phases = []
    for n, clients in enumerate((0, args.ws_clients, args.ws_clients, 0)):
        bodies = bodies_file(folder, run, unique, f"live{n}-")
        phases.append(phase(args, env, bodies, duration, url, origin, clients))
        print(phases[-1], file=sys.stderr, flush=True)
    without = statistics.mean(p["tickets_per_s"] for p in phases if not p["clients"])
    loaded = statistics.mean(p["tickets_per_s"] for p in phases if p["clients"])
    return {
        "phases": phases,
        "tickets_per_s_without_clients": round(without, 1),
        "tickets_per_s_with_clients": round(loaded, 1),
        "slower_percent": round((1 - loaded / without) * 100, 1),
        "clients_read_every_s": args.read_every,
        "deferred_intake": env.get("HELPDESK_INGEST_DEFERRED", "1") != "0",
        "worker": not args.no_worker,
    }
