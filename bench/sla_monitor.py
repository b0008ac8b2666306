"""One SLA monitor pass over many open tickets of which 1% are past their resolution deadline.

    .venv/bin/python bench/sla_monitor.py            # 1,000,000 open tickets
    .venv/bin/python bench/sla_monitor.py --quick    # 100,000

Loads a bench database (default postgres://postgres@127.0.0.1:5432/hd_bench_sla, override with
BENCH_DATABASE_URL) with INSERT ... SELECT generate_series, then times `sla_monitor_run()`: the
claims, the status changes, the bulk side effects (system comments, audit events, live events,
mail), and the breach-risk refresh, reported separately. Run it with REDIS_URL set (production
mode): live events then go to the background sender of live.realtime, whose drain time is
printed too; without Redis the in-memory layer sends each event in place (about 0.5 ms each)."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hd_bench_sla"


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _load(cursor, *, tickets: int, due_fraction: float) -> None:
    every = round(1 / due_fraction)
    cursor.execute("TRUNCATE tickets_ticket, sla_ticketsla, agents_agent, auth_user CASCADE")
    cursor.execute(
        "INSERT INTO tickets_queue (name, slug, description, default_priority, confidence_threshold,"
        " is_triage, ai_resolution_enabled, ai_auto_resolve_threshold, ai_review_threshold, is_active)"
        " SELECT 'Queue ' || g, 'bench-' || g, '', 'normal', 0.7, false, false, 0.85, 0.6, true"
        " FROM generate_series(1, 5) g ON CONFLICT (slug) DO NOTHING"
    )
    cursor.execute(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,"
        " is_staff, is_active, date_joined) SELECT '!', g = 0, 'bench' || g, '', '',"
        " 'bench' || g || '@example.com', false, true, now() FROM generate_series(0, 50) g"
    )
    cursor.execute(
        "INSERT INTO agents_agent (user_id, kind, all_queues, languages, timezone, working_hours,"
        " max_tickets, is_available, created_at) SELECT id, 'human', true, '[]', 'UTC', '{}',"
        " 20000, true, now() FROM auth_user WHERE username <> 'bench0'"
    )
    cursor.execute(
        f"""
        INSERT INTO tickets_ticket (id, channel, customer_email, subject, body, status, priority,
            routing_reason, tags, context, language, suggested_reply, sla_first_response_due,
            sla_resolution_due, sla_first_response_state, sla_resolution_state, escalation_level,
            first_response_at, reopened_count, created_at, updated_at, assigned_agent_id, queue_id,
            breach_risk, intake_pending)
        SELECT gen_random_uuid(), 'api', '', 'Bench ticket ' || g, '',
            (ARRAY['open', 'assigned', 'in_progress'])[1 + g % 3],
            (ARRAY['low', 'normal', 'high', 'urgent'])[1 + g % 4], '', '[]', '{{}}', '', '',
            c - interval '1 hour' + interval '4 hours', due, 0, 0, 0, c + interval '5 minutes', 0,
            c, c,
            CASE WHEN g % 3 = 0 THEN NULL ELSE (SELECT min(id) FROM agents_agent) + g % 50 END,
            (SELECT min(id) FROM tickets_queue WHERE slug LIKE 'bench-%%') + g % 5,
            0.2,  -- every open ticket already has a risk from earlier passes (steady state)
            false
        FROM generate_series(1, {tickets}) g,
        LATERAL (SELECT now() - (g % 5000) * interval '1 minute' AS c) created,
        LATERAL (SELECT CASE WHEN g % {every} = 0 THEN now() - interval '1 minute'
                        ELSE now() + interval '31 minutes' + (g % 10000) * interval '1 minute'
                        END AS due) deadline
        """
    )
    # 50,000 resolved tickets of history for the expected resolution times.
    cursor.execute(
        """
        INSERT INTO tickets_ticket (id, channel, customer_email, subject, body, status, priority,
            routing_reason, tags, context, language, suggested_reply, sla_first_response_state,
            sla_resolution_state, escalation_level, reopened_count, created_at, updated_at,
            resolved_at, queue_id, intake_pending)
        SELECT gen_random_uuid(), 'api', '', 'Old ticket', '', 'closed',
            (ARRAY['low', 'normal', 'high', 'urgent'])[1 + g % 4], '', '[]', '{}', '', '', 0, 0, 0,
            0, now() - interval '10 days', now() - interval '10 days',
            now() - interval '10 days' + (1 + g % 48) * interval '1 hour',
            (SELECT min(id) FROM tickets_queue WHERE slug LIKE 'bench-%%') + g % 5, false
        FROM generate_series(1, 50000) g
        """
    )
    cursor.execute(
        """
        INSERT INTO sla_ticketsla (ticket_id, first_response_minutes, resolution_minutes,
            at_risk_minutes, paused_seconds, first_response_risk_at, resolution_risk_at)
        SELECT id, 240, 1440, 30, 0, sla_first_response_due - interval '30 minutes',
            sla_resolution_due - interval '30 minutes'
        FROM tickets_ticket WHERE sla_resolution_due IS NOT NULL
        """
    )


def _reset(cursor, *, tickets: int) -> bool:
    """Undo the previous run's escalations instead of loading again (--reuse)."""
    cursor.execute("SELECT count(*) FROM tickets_ticket WHERE subject LIKE 'Bench ticket %'")
    if cursor.fetchone()[0] != tickets:
        return False
    cursor.execute(
        "UPDATE tickets_ticket SET sla_resolution_state = 0, sla_first_response_state = 0,"
        " escalation_level = 0, breach_risk = 0.2, status = (ARRAY['open', 'assigned',"
        " 'in_progress'])[1 + split_part(subject, ' ', 3)::int % 3]"
        " WHERE subject LIKE 'Bench ticket %' AND (escalation_level > 0"
        " OR sla_resolution_state > 0 OR breach_risk IS DISTINCT FROM 0.2)"
    )
    cursor.execute("TRUNCATE tickets_comment, tickets_ticketevent")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 tickets instead of 1,000,000")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--due-fraction", type=float, default=0.01)
    parser.add_argument(
        "--reuse", action="store_true", help="reset the previous run's tickets instead of loading"
    )
    args = parser.parse_args()
    tickets = args.tickets or (100_000 if args.quick else 1_000_000)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sla.monitor import sla_monitor_run
    from sla.risk import breach_risk_refresh

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if not (args.reuse and _reset(cursor, tickets=tickets)):
            _load(cursor, tickets=tickets, due_fraction=args.due_fraction)
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("VACUUM ANALYZE sla_ticketsla")
    print(f"loaded {tickets:,} open tickets in {time.perf_counter() - started:.1f} s")

    from unittest import mock

    from django.utils import timezone

    from live import realtime

    now = timezone.now()
    started = time.perf_counter()
    result = sla_monitor_run(now=now, refresh_risk=False)
    escalations = time.perf_counter() - started
    started = time.perf_counter()
    realtime.flush(timeout=120)
    delivery = time.perf_counter() - started
    started = time.perf_counter()
    again = sla_monitor_run(now=now, refresh_risk=False)
    quiet = time.perf_counter() - started

    # The same pass again with live events switched off, to show what publishing costs.
    with connection.cursor() as cursor:
        _reset(cursor, tickets=tickets)
    started = time.perf_counter()
    with mock.patch("live.realtime.publish"):
        silent = sla_monitor_run(now=now, refresh_risk=False)
    no_live = time.perf_counter() - started

    started = time.perf_counter()
    risk_updated = breach_risk_refresh(now=now)
    risk = time.perf_counter() - started

    breached = len(result.breached["resolution"])
    print(result.summary())
    print(f"monitor pass ({breached:,} breaches, all side effects): {escalations:.2f} s")
    print(f"  the same pass without publishing live events: {no_live:.2f} s")
    print(f"  live events drained by the realtime sender afterwards: {delivery:.2f} s")
    print(f"next monitor pass, nothing new due: {quiet:.2f} s")
    print(f"breach-risk refresh, its own 5-minute task ({risk_updated:,} changed): {risk:.2f} s")
    assert breached == tickets // round(1 / args.due_fraction), breached
    assert len(silent.breached["resolution"]) == breached
    assert not any(again.breached.values()) and again.escalated_status == 0


if __name__ == "__main__":
    main()
