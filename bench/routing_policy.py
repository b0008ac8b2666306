"""Routing decision speed: the pure rule engine, and `ticket_route` end to end on PostgreSQL
(rules + urgency phrases + model + writes: ticket update, `routed` event, ClassificationLog).

    .venv/bin/python bench/routing_policy.py            # 5,000 evaluations, 1,000 routed tickets
    .venv/bin/python bench/routing_policy.py --quick    # 1,000 / 200
Options: --rules N (default 50), --db URL (default postgres://postgres@127.0.0.1:5432/hd_bench_routing).
Everything runs inside one transaction that is rolled back; the database keeps only its schema.
The model is a stand-in that answers in ~0 ms, so the figures are the policy's own cost; the local
classifier's latency is measured by bench/routing.py.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: this script is named like the routing app
from bench.benchdb import ensure_database  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/hd_bench_routing")
    args = parser.parse_args()
    args.evals = 1_000 if args.quick else 5_000
    args.tickets = 200 if args.quick else 1_000
    return args


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, mean {statistics.fmean(ordered):.3f} ms"


def main() -> None:
    args = parse_args()
    ensure_database(args.db)
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as deployed: no per-query logging
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from routing.facts import ticket_facts
    from routing.models import RoutingRule, UrgencyPhrase
    from routing.rules import Rule, evaluate_rules, parse
    from routing.services import ticket_route
    from routing.tests.fakes import FakeLLM, FakePredictor, prediction
    from tickets.models import Category, Queue
    from tickets.services import ticket_store

    conditions = [
        "app_version < 3.0 and category = billing",
        "subject contains [refund, chargeback, invoice] and platform in [ios, android]",
        r"body matches /error\s+5\d\d/ or previous_tickets_count >= 5",
        "(locale = de_de or language = de) and not channel = email",
        "email_domain in [bigcorp.com, example.org] and priority >= high",
    ]
    rules = [
        Rule(
            name=f"R{i}",
            condition=parse(conditions[i % len(conditions)] + f" and tags != t{i}"),
            id=i,
            order=i,
            set_queue=f"q{i % 7}",
            add_tags=(f"t{i}",),
        )
        for i in range(args.rules)
    ]
    facts = ticket_facts(
        subject="Refund for invoice 4411",
        body="I got error 503 when paying. Please help.",
        channel="in_app",
        priority="normal",
        customer_email="jane@bigcorp.com",
        context={"platform": "ios", "app_version": "2.9.1", "locale": "de_DE"},
    )
    samples = []
    for _ in range(args.evals):
        started = time.perf_counter()
        evaluate_rules(rules, facts)
        samples.append((time.perf_counter() - started) * 1000)
    print(f"evaluate_rules, {args.rules} rules, {args.evals} runs: {percentiles(samples)}")

    with transaction.atomic():
        queues = [Queue.objects.create(name=f"Q{i}", slug=f"bench-q{i}") for i in range(7)]
        billing = Category.objects.create(name="Billing", slug="bench-billing")
        for i in range(args.rules):
            RoutingRule.objects.create(
                name=f"R{i}",
                order=i,
                conditions=conditions[i % len(conditions)],
                set_queue=queues[i % 7] if i % 3 == 0 else None,
                set_category=billing if i % 3 == 1 else None,
                add_tags=[f"t{i}"],
            )
        for phrase in ("system down", "data loss", "security breach", "cannot log in"):
            UrgencyPhrase.objects.get_or_create(phrase=phrase)
        predictor = FakePredictor(
            prediction(
                queue=("bench-q3", 0.91),
                category=("bench-billing", 0.8),
                priority=("high", 0.75),
                language="en",
            )
        )
        no_llm = FakeLLM(configured=False)
        samples = []
        for _ in range(args.tickets):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            samples.append((time.perf_counter() - started) * 1000)
        print(f"baseline: one PostgreSQL round trip (SELECT 1): {percentiles(samples)}")
        for label, subject in (
            ("no rule matches", "Hello there"),
            ("rules match", "Refund for invoice 4411"),
        ):
            samples, cpu_samples = [], []
            for n in range(args.tickets):
                ticket = ticket_store(
                    subject=subject,
                    body="I got error 503 when paying.",
                    channel="in_app",
                    customer_email=f"c{n}@bigcorp.com",
                    context={"platform": "ios", "app_version": "2.9.1"},
                ).ticket
                started, cpu = time.perf_counter(), time.process_time()
                ticket_route(ticket=ticket, predictor=predictor, llm=no_llm)
                samples.append((time.perf_counter() - started) * 1000)
                cpu_samples.append((time.process_time() - cpu) * 1000)
            print(
                f"ticket_route ({label}), {args.rules} rules in the table, {args.tickets} "
                f"tickets: wall {percentiles(samples[10:])}; "
                f"this process's CPU {percentiles(cpu_samples[10:])}"
            )
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
