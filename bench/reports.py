"""Report speed at scale: seed N tickets (default 1,000,000) with events and routing logs across two
years into a bench PostgreSQL database with INSERT ... SELECT generate_series, then time every report
page and API call server-side (Django test client, DEBUG off, after one warm-up call).

    .venv/bin/python bench/reports.py            # 1,000,000 tickets in hd_bench_reports
    .venv/bin/python bench/reports.py --quick    # 50,000 tickets in hd_bench_reports_quick
Options: --tickets N, --reseed, --seed-only, --runs N, --db URL. The database is seeded again only
when its ticket count differs from N (or with --reseed).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: this script is named like the reports app
from bench.benchdb import ensure_database, setup_django  # noqa: E402

REPORTS = ["overview", "agents", "routing", "customers", "recurring", "csat"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 tickets, 3 runs")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--runs", type=int)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--db", help="default: hd_bench_reports (--quick: hd_bench_reports_quick)")
    args = parser.parse_args()
    name = "hd_bench_reports_quick" if args.quick else "hd_bench_reports"
    args.db = args.db or f"postgres://postgres@127.0.0.1:5432/{name}"
    args.tickets = args.tickets or (50_000 if args.quick else 1_000_000)
    args.runs = args.runs or (3 if args.quick else 5)
    return args


def seed(n: int) -> None:
    from django.db import connection

    from bench import reports_seed as seed_sql

    queues, slugs, categories, agents = seed_sql.seed_reference_data()
    started = time.perf_counter()

    def step(label: str, sql: str, params=None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        print(f"  {label} ({time.perf_counter() - started:.0f} s)", flush=True)

    done, chunk = 0, 250_000
    while done < n:
        size = min(chunk, n - done)
        step(
            f"tickets {done + size:,}",
            seed_sql.TICKETS,
            seed_sql.ticket_params(queues, slugs, categories, agents, size, done, n),
        )
        done += size
    for i, sql in enumerate(seed_sql.EVENTS):
        step(f"events {i + 1}/{len(seed_sql.EVENTS)}", sql)
    step(
        "classification logs",
        seed_sql.LOGS,
        seed_sql.ticket_params(queues, slugs, categories, agents, 0),
    )
    step("AI attempts", seed_sql.ATTEMPTS)
    step("vacuum analyze", "VACUUM ANALYZE")
    print(f"seeded {n:,} tickets in {time.perf_counter() - started:.0f} s", flush=True)


def build_rollup() -> None:
    """What `manage.py reports_rollup --all` does once after an import; beat then keeps it."""
    from django.db.models import Min

    from reports.rollup import rollup_refresh
    from tickets.models import Ticket

    first = Ticket.objects.aggregate(first=Min("created_at"))["first"]
    started = time.perf_counter()
    rows = rollup_refresh(start=first.date())
    print(
        f"daily rollup of the whole history: {rows:,} rows in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    rollup_refresh()
    print(f"hourly refresh (last 45 days): {time.perf_counter() - started:.2f} s", flush=True)


def counts() -> dict:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in (
            "tickets_ticket",
            "tickets_ticketevent",
            "routing_classificationlog",
            "agents_airesolutionattempt",
        ):
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
            out[table] = int(row[0]) if row else 0
    return out


def time_calls(runs: int) -> list[tuple[str, float, float, float]]:
    from django.test import Client

    from core.roles import managers_group
    from tickets.tests.factories import UserFactory

    manager = UserFactory(username="bench-manager@example.com")
    manager.groups.add(managers_group())
    client = Client()
    client.force_login(manager)
    from tickets.models import Queue

    queue = Queue.objects.order_by("pk").first().slug
    calls = []
    for name in REPORTS:
        calls.append(
            (f"GET /api/v1/reports/{name}?days=30", f"/api/v1/reports/{name}", {"days": 30})
        )
        calls.append((f"GET /reports/{name}/?days=30 (page)", f"/reports/{name}/", {"days": 30}))
    calls += [
        (
            "GET /api/v1/reports/overview?days=30&queue=…",
            "/api/v1/reports/overview",
            {"days": 30, "queue": queue},
        ),
        ("GET /api/v1/reports/overview?days=90 (rollup)", "/api/v1/reports/overview", {"days": 90}),
        (
            "GET /api/v1/reports/overview?days=365 (rollup)",
            "/api/v1/reports/overview",
            {"days": 365},
        ),
        (
            "GET /api/v1/reports/overview?days=730 (rollup)",
            "/api/v1/reports/overview",
            {"days": 730},
        ),
        (
            "GET /api/v1/reports/overview?days=365&channel=email (live)",
            "/api/v1/reports/overview",
            {"days": 365, "channel": "email"},
        ),
        ("GET /api/v1/reports/agents?days=90", "/api/v1/reports/agents", {"days": 90}),
        (
            "GET /reports/overview.csv?days=30&table=by_queue",
            "/reports/overview.csv",
            {"days": 30, "table": "by_queue"},
        ),
    ]
    results = []
    for label, url, params in calls:
        response = client.get(url, params)
        assert response.status_code == 200, (label, response.status_code, response.content[:300])
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu = _timed(client, url, params)
            walls.append(wall)
            cpus.append(cpu)
        row = (label, statistics.median(walls), max(walls), statistics.median(cpus))
        results.append(row)
        print(
            f"{label:55s} wall median {row[1]:7.1f} ms  max {row[2]:7.1f} ms  cpu {row[3]:7.1f} ms",
            flush=True,
        )
    return results


def _backend_cpu_ms() -> float:
    """CPU time used so far by this connection's PostgreSQL backend (same machine: /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _timed(client, url: str, params: dict) -> tuple[float, float]:
    """(wall ms, CPU ms of Django + its PostgreSQL backend): on a shared, loaded machine the CPU
    time is what the call costs; the wall time also counts waiting for a core."""
    backend_before = _backend_cpu_ms()
    cpu_before, started = time.process_time(), time.perf_counter()
    response = client.get(url, params)
    wall = (time.perf_counter() - started) * 1000
    cpu = (time.process_time() - cpu_before) * 1000 + _backend_cpu_ms() - backend_before
    assert response.status_code == 200
    return wall, cpu


def main() -> None:
    args = parse_args()
    ensure_database(args.db)
    setup_django(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tickets.models import Ticket

    existing = Ticket.objects.count()
    if args.reseed or existing != args.tickets:
        from bench.reports_seed import wipe

        wipe()
        seed(args.tickets)
    print(counts())
    if args.seed_only:
        return
    build_rollup()
    results = time_calls(args.runs)
    load = os.getloadavg()[0]
    print(f"\nload average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
    print("| call | wall median ms | wall max ms | CPU median ms |\n| --- | ---: | ---: | ---: |")
    for label, median, worst, cpu in results:
        print(f"| `{label}` | {median:.0f} | {worst:.0f} | {cpu:.0f} |")


if __name__ == "__main__":
    main()
