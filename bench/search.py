"""Full-text search at scale: seed N tickets (default 1,000,000; --quick 100,000) with real
English and German support text, public replies and internal notes into a bench PostgreSQL
database, then time typical searches server-side (Django test client, DEBUG off, after one
warm-up call) through the API and the workspace, and show the plan that serves them.

    .venv/bin/python bench/search.py            # 1,000,000 tickets in hd_bench_search
    .venv/bin/python bench/search.py --quick    # 100,000 tickets in hd_bench_search_quick
Options: --tickets N, --runs N, --reseed, --seed-only, --db URL. The database is seeded again
only when its ticket count differs from N (or with --reseed).

Texts come from ../shared/datasets/customer_support_multilang/dev.csv (4,053 e-mails, en and
de): each ticket takes the subject of one row and the body of another, so 1M tickets are not
4,053 texts repeated. The seed fills the vectors in bulk with the database's own function and
builds the GIN index once at the end (as a restore would); it then times single inserts with
the trigger on and off, the cost every new ticket pays.
"""

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: keep the project's apps importable first
from bench.benchdb import ensure_database, setup_django  # noqa: E402

DATASET = ROOT.parent / "shared" / "datasets" / "customer_support_multilang" / "dev.csv"

# (label, words): rare and common words, two words, a phrase, German, a miss, an exclusion
QUERIES = [
    ("rare word", "laravel"),
    ("common word", "problem"),
    ("two words", "payment failed"),
    ("phrase", '"data breach"'),
    ("German word", "Rechnung"),
    ("no match", "xylophone"),
    ("with exclusion", "account -password"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 tickets, 5 runs")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--runs", type=int)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--db", help="default: hd_bench_search (--quick: hd_bench_search_quick)")
    args = parser.parse_args()
    name = "hd_bench_search_quick" if args.quick else "hd_bench_search"
    args.db = args.db or f"postgres://postgres@127.0.0.1:5432/{name}"
    args.tickets = args.tickets or (100_000 if args.quick else 1_000_000)
    args.runs = args.runs or (5 if args.quick else 10)
    return args


def texts() -> list[tuple[str, str, str, str]]:
    """(subject, body, language, answer) rows; a small made-up set without the dataset."""
    if DATASET.exists():
        with DATASET.open(newline="", encoding="utf-8") as f:
            return [
                (r["subject"] or r["body"][:60], r["body"], r["language"], r["answer"])
                for r in csv.DictReader(f)
                if r["body"]
            ]
    print(f"({DATASET} not found: using made-up text)")
    words = "account payment failed refund invoice login password problem data breach app".split()
    return [
        (
            f"{words[i % 11]} {words[(i * 3) % 11]}",
            " ".join(words[(i + k * 7) % 11] for k in range(40)),
            "en",
            "We are looking into it.",
        )
        for i in range(500)
    ]


SEED_TICKETS = """
INSERT INTO tickets_ticket (
    id, channel, customer_email, subject, body, status, priority, queue_id, routing_reason, tags,
    context, language, suggested_reply, sla_first_response_state, sla_resolution_state,
    escalation_level, reopened_count, intake_pending, created_at, updated_at, search_vector)
SELECT gen_random_uuid(), 'email', 'customer' || (g %% 50000) || '@example.com', s.subject,
    b.body, (ARRAY['open','assigned','in_progress','resolved','closed','closed'])
        [1 + (g %% 6)], (ARRAY['low','normal','normal','high','urgent'])[1 + (g %% 5)],
    (%(queues)s::int[])[1 + (g %% %(nqueues)s)], '', '[]'::jsonb, '{}'::jsonb, b.language, '',
    0, 0, 0, 0, false, now() - (g %% 730) * interval '1 day', now(),
    tickets_search_document(NULL, s.subject, b.body, b.language)  -- no comments yet
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g
JOIN bench_text s ON s.i = 1 + (g * 7919) %% %(ntexts)s
JOIN bench_text b ON b.i = 1 + (g * 104729 + 17) %% %(ntexts)s
"""

# A public answer on 30% of the tickets, an internal note on 10% (the note's words are the
# answer's, so a note-only match would show up as a leak in the counts).
SEED_COMMENTS = """
INSERT INTO tickets_comment (ticket_id, author_kind, body, internal, created_at)
SELECT t.id, 'agent', a.answer, n.internal, t.created_at + interval '1 hour'
FROM (SELECT id, created_at, language, row_number() OVER () AS r FROM tickets_ticket) t
JOIN LATERAL (VALUES (false), (true)) AS n(internal)
    ON (NOT n.internal AND t.r %% 10 < 3) OR (n.internal AND t.r %% 10 = 5)
JOIN bench_text a ON a.i = 1 + (t.r * 31) %% %(ntexts)s
"""


def seed(n: int) -> None:
    from django.db import connection

    from tickets.models import Queue

    started = time.perf_counter()
    queues = [
        Queue.objects.get_or_create(slug=f"q{i}", defaults={"name": f"Queue {i}"})[0].pk
        for i in range(8)
    ]

    def step(label: str, sql: str, params=None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        print(f"  {label} ({time.perf_counter() - started:.0f} s)", flush=True)

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tickets_ticket, tickets_ticketevent, tickets_comment CASCADE")
    ntexts = _ensure_text_table()
    step("bulk mode: triggers off, no GIN index", _BULK_ON)
    done, chunk = 0, 200_000
    while done < n:
        size = min(chunk, n - done)
        params = {
            "start": done + 1,
            "stop": done + size,
            "queues": queues,
            "nqueues": len(queues),
            "ntexts": ntexts,
        }
        step(f"tickets {done + size:,}", SEED_TICKETS, params)
        done += size
    step("comments", SEED_COMMENTS, {"ntexts": ntexts})
    step(
        "vectors of tickets with public comments",
        "UPDATE tickets_ticket t SET search_vector = tickets_search_document(t.id, t.subject, "
        "t.body, t.language) WHERE t.id IN (SELECT ticket_id FROM tickets_comment "
        "WHERE NOT internal)",
    )
    step("GIN index, triggers back on", _BULK_OFF)
    step("vacuum analyze", "VACUUM ANALYZE tickets_ticket")
    step("vacuum analyze comments", "VACUUM ANALYZE tickets_comment")
    print(f"seeded {n:,} tickets in {time.perf_counter() - started:.0f} s", flush=True)


_BULK_ON = """
ALTER TABLE tickets_ticket DISABLE TRIGGER tickets_ticket_search;
ALTER TABLE tickets_comment DISABLE TRIGGER tickets_comment_search;
DROP INDEX IF EXISTS ticket_search;
"""
_BULK_OFF = """
CREATE INDEX ticket_search ON tickets_ticket USING gin (search_vector);
ALTER TABLE tickets_ticket ENABLE TRIGGER tickets_ticket_search;
ALTER TABLE tickets_comment ENABLE TRIGGER tickets_comment_search;
"""


def insert_cost(ntexts: int, count: int = 2000) -> tuple[float, float]:
    """µs per single-row ticket INSERT (its own transaction) with the search trigger and index
    on, and with the trigger off: what each new ticket pays for being searchable."""
    from django.db import connection, transaction

    from tickets.models import Ticket

    sql = (
        "INSERT INTO tickets_ticket (id, channel, customer_email, subject, body, status, "
        "priority, routing_reason, tags, context, language, suggested_reply, "
        "sla_first_response_state, sla_resolution_state, escalation_level, reopened_count, "
        "intake_pending, created_at, updated_at) SELECT gen_random_uuid(), 'api', "
        "'bench@example.com', subject, body, 'open', 'normal', '', '[]', '{}', language, '', "
        "0, 0, 0, 0, false, now(), now() FROM bench_text WHERE i = %s"
    )
    results: dict[bool, float] = {}
    for enabled in (True, False, True, False):  # alternating, best of two: a shared machine
        with connection.cursor() as cursor:
            if not enabled:
                cursor.execute("ALTER TABLE tickets_ticket DISABLE TRIGGER tickets_ticket_search")
            started = time.perf_counter()
            for i in range(count):
                with transaction.atomic():
                    cursor.execute(sql, [1 + i % ntexts])
            spent = (time.perf_counter() - started) * 1e6 / count
            results[enabled] = min(spent, results.get(enabled, spent))
            if not enabled:
                cursor.execute("ALTER TABLE tickets_ticket ENABLE TRIGGER tickets_ticket_search")
    Ticket.objects.filter(customer_email="bench@example.com").delete()
    return results[True], results[False]


def _ensure_text_table() -> int:
    """The texts in a temporary table `bench_text` (by COPY); returns how many."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_text (i serial, subject text, body text, "
            "language text, answer text)"
        )
        cursor.execute("SELECT count(*) FROM bench_text")
        count = cursor.fetchone()[0]
        if count:
            return count
        rows = texts()
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        with cursor.cursor.copy(  # psycopg's COPY, under Django's cursor wrapper
            "COPY bench_text (subject, body, language, answer) FROM STDIN WITH (FORMAT csv)"
        ) as copy:
            copy.write(buffer.getvalue())
    return len(rows)


def users():
    from agents.models import Agent
    from agents.tests.factories import AgentFactory
    from core.roles import managers_group
    from tickets.models import Queue
    from tickets.tests.factories import UserFactory

    manager = UserFactory(username="bench-manager@example.com")
    manager.groups.add(managers_group())
    user = UserFactory(username="bench-agent@example.com")
    agent = Agent.objects.filter(user=user).first() or AgentFactory(user=user, all_queues=False)
    agent.queues.set(Queue.objects.filter(slug__in=["q0", "q1"]))
    return manager, agent.user


def explain(words: str, user) -> str:
    from tickets.selectors import ticket_list

    qs = ticket_list(user=user, filters={"search": words})[:50]
    return qs.explain(analyze=True, buffers=True)


def _timed(call, runs: int) -> list[float]:
    call()  # warm-up
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        walls.append((time.perf_counter() - started) * 1000)
    return walls


def time_searches(runs: int, manager, agent) -> list[tuple[str, list[float], int]]:
    """Each search through the API (the whole request: count, page of 50, serialization) and
    through the workspace's search (its selector and the snippets of the first 100; the page
    around it also renders the sidebar's counts, timed once on their own at the end)."""
    from django.test import Client

    from tickets.search import tickets_with_snippets
    from workspace.selectors import LIST_LIMIT, queues_for, worklist

    results = []
    for who, user in (("manager", manager), ("agent, 2 of 8 queues", agent)):
        client = Client()
        client.force_login(user)
        for label, words in QUERIES:
            response = client.get("/api/v1/tickets/", {"search": words})
            assert response.status_code == 200, response.status_code
            hits = response.json()["count"]

            def api(words=words, client=client):
                assert client.get("/api/v1/tickets/", {"search": words}).status_code == 200

            def workspace(words=words, user=user):
                found = list(worklist(user=user, view="search", query=words)[:LIST_LIMIT])
                tickets_with_snippets(found, text=words)

            for where, call in (("API", api), ("workspace", workspace)):
                walls = _timed(call, runs)
                name = f"{where} {label} `{words}` ({who})"
                results.append((name, walls, hits if where == "API" else -1))
                print(
                    f"{name:70s} p50 {statistics.median(walls):7.1f} ms  "
                    f"max {max(walls):7.1f} ms  hits {hits}",
                    flush=True,
                )
    walls = _timed(lambda: list(queues_for(user=manager)), runs)
    print(f"(workspace sidebar queue counts, not search: p50 {statistics.median(walls):.0f} ms)")
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    args = parse_args()
    ensure_database(args.db)
    setup_django(args.db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tickets.models import Ticket

    if args.reseed or Ticket.objects.count() != args.tickets:
        seed(args.tickets)
    print(f"{Ticket.objects.count():,} tickets")
    if args.seed_only:
        return
    ntexts = _ensure_text_table()  # the insert timing reads its texts
    with_trigger, without = insert_cost(ntexts)
    print(f"single-row INSERT: {with_trigger:.0f} µs with the search trigger, {without:.0f} µs off")
    manager, agent = users()
    print("\nEXPLAIN ANALYZE (manager, `payment failed`, first page):")
    print(explain("payment failed", manager))
    results = time_searches(args.runs, manager, agent)
    every = [w for _, walls, _ in results for w in walls]
    load = os.getloadavg()[0]
    print(f"\nload average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
    print(f"all searches: p50 {percentile(every, 50):.0f} ms, p99 {percentile(every, 99):.0f} ms")
    print("| search | hits | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |")
    for name, walls, hits in results:
        shown = f"{hits:,}" if hits >= 0 else ""
        print(f"| {name} | {shown} | {percentile(walls, 50):.0f} | {percentile(walls, 99):.0f} |")


if __name__ == "__main__":
    main()
