"""Bulk seed for bench/reports.py: plain INSERT ... SELECT generate_series on PostgreSQL."""

from django.db import connection

QUEUES = ["billing", "technical", "account", "shipping", "sales", "security", "mobile", "triage"]
CATEGORIES = [
    "refund",
    "invoice",
    "payment-failed",
    "login",
    "password",
    "two-factor",
    "crash",
    "sync",
    "performance",
    "delivery",
    "returns",
    "pricing",
    "upgrade",
    "data-export",
    "privacy",
    "notifications",
    "api",
    "integration",
    "bug",
    "feature-request",
]
TAG_SETS = [
    '["refund"]',
    '["vip"]',
    '["ios"]',
    '["android"]',
    '["outage"]',
    '["refund", "vip"]',
    "[]",
    "[]",
    "[]",
    "[]",
]
SUBJECTS = [
    "Refund not received",
    "Cannot log in after update",
    "App crashes on start",
    "Invoice shows wrong amount",
    "Payment failed twice",
    "Password reset email missing",
    "Two-factor code not arriving",
    "Sync stuck at 99 percent",
    "Dashboard very slow",
    "Package delivered to wrong address",
    "How do I return an item",
    "Upgrade to annual plan",
    "Export my data",
    "Delete my account",
    "Notifications stopped working",
    "API returns 500 error",
    "Slack integration disconnected",
    "Button does nothing on checkout",
    "Feature request dark mode",
    "Charged after cancelling",
    "Order never arrived",
    "Security alert on my account",
    "Cannot upload attachment",
    "Search returns nothing",
]


def wipe() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_ticket, tickets_ticketevent, tickets_comment, "
            "routing_classificationlog, agents_airesolutionattempt CASCADE"
        )


def seed_reference_data() -> tuple[list, list, list, list]:
    from agents.tests.factories import AgentFactory
    from tickets.models import Category, Queue
    from tickets.tests.factories import UserFactory

    queues = [
        Queue.objects.get_or_create(
            slug=slug, defaults={"name": slug.title(), "is_triage": slug == "triage"}
        )[0]
        for slug in QUEUES
    ]
    categories = [
        Category.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ")})[0]
        for slug in CATEGORIES
    ]
    from agents.models import Agent

    for i in range(40 - Agent.objects.count()):
        AgentFactory(user=UserFactory(username=f"bench-agent-{i}@example.com"))
    agents = list(Agent.objects.values_list("pk", flat=True))
    return [q.pk for q in queues], [q.slug for q in queues], [c.pk for c in categories], agents


# One chunk of tickets. Times: first response within ~12 h (skewed short), resolution within
# ~4 days; 97% of tickets older than a week are resolved (most then closed), 4% reopened once.
TICKETS = """
INSERT INTO tickets_ticket (
    id, channel, customer_email, subject, body, status, priority, category_id, queue_id,
    assigned_agent_id, confidence, routing_reason, tags, context, language, suggested_reply,
    sla_first_response_due, sla_resolution_due, sla_first_response_state, sla_resolution_state,
    escalation_level, first_response_at, resolved_at, closed_at, reopened_count, csat_score,
    csat_at, created_at, updated_at)
SELECT gen_random_uuid(), channel, 'customer' || cust || '@example.com', subject, '', status,
    priority, category_id, queue_id, agent_id, conf, '', tags, '{}'::jsonb, 'en', '',
    created + interval '4 hours', created + interval '48 hours',
    CASE WHEN fr_at > created + interval '4 hours'
              OR (fr_at IS NULL AND created + interval '4 hours' < now()) THEN 2 ELSE 0 END,
    CASE WHEN res_at > created + interval '48 hours'
              OR (res_at IS NULL AND created + interval '48 hours' < now()) THEN 2 ELSE 0 END,
    0, fr_at, res_at,
    CASE WHEN status = 'closed' THEN res_at + interval '3 days' END,
    reopened, CASE WHEN res_at IS NOT NULL AND r_csat < 0.3 THEN 1 + floor(r_csat * 16.6)::int END,
    CASE WHEN res_at IS NOT NULL AND r_csat < 0.3 THEN res_at + interval '1 hour' END,
    created, created
FROM (
    SELECT *, CASE WHEN res_at IS NULL
                   THEN (ARRAY['open','assigned','in_progress','pending_customer','escalated'])
                        [1 + floor(random() * 5)::int]
                   WHEN res_at < now() - interval '10 days' THEN 'closed' ELSE 'resolved' END
              AS status
    FROM (
        SELECT *, CASE WHEN r_res < CASE WHEN created < now() - interval '7 days' THEN 0.97
                                         ELSE 0.5 END
                            AND fr_at + res_delay < now()
                       THEN fr_at + res_delay END AS res_at
        FROM (
            SELECT *, CASE WHEN r_fr < 0.98 AND created + fr_delay < now()
                           THEN created + fr_delay END AS fr_at
            FROM (
                SELECT g,
                    now() - interval '730 days' * ((%(total)s - %(offset)s - g + random()) / %(total)s)
                        AS created,
                    random() * random() * interval '12 hours' AS fr_delay,
                    random() * random() * interval '96 hours' AS res_delay,
                    random() AS r_fr, random() AS r_res, random() AS r_csat,
                    CASE WHEN random() < 0.04 THEN 1 ELSE 0 END AS reopened,
                    (ARRAY['email','in_app','web','webhook','api'])[1 + floor(random() * 5)::int]
                        AS channel,
                    floor(random() * 50000)::int AS cust,
                    (%(subjects)s::text[])[1 + floor(random() * %(nsubjects)s)::int]
                        || CASE WHEN random() < 0.5 THEN ' again' ELSE '' END AS subject,
                    (ARRAY['low','normal','normal','normal','high','high','urgent'])
                        [1 + floor(random() * 7)::int] AS priority,
                    (%(categories)s::int[])[1 + floor(random() * %(ncategories)s)::int]
                        AS category_id,
                    (%(queues)s::int[])[1 + floor(random() * %(nqueues)s)::int] AS queue_id,
                    CASE WHEN random() < 0.9
                         THEN (%(agents)s::bigint[])[1 + floor(random() * %(nagents)s)::int]
                    END AS agent_id,
                    random() AS conf,
                    (%(tags)s::jsonb[])[1 + floor(random() * %(ntags)s)::int] AS tags
                FROM generate_series(1, %(n)s) AS g
            ) a
        ) b
    ) c
) d
"""

EVENTS = [
    """INSERT INTO tickets_ticketevent (ticket_id, kind, field, after, reason, data, created_at)
       SELECT id, 'created', '', '"open"'::jsonb, '', jsonb_build_object('channel', channel),
              created_at FROM tickets_ticket ORDER BY created_at""",
    """INSERT INTO tickets_ticketevent (ticket_id, kind, field, reason, data, created_at)
       SELECT id, 'first_response', '', '', '{}'::jsonb, first_response_at
       FROM tickets_ticket WHERE first_response_at IS NOT NULL ORDER BY first_response_at""",
    """INSERT INTO tickets_ticketevent (ticket_id, kind, field, before, after, reason, data,
                                         created_at)
       SELECT id, 'status_changed', 'status', '"in_progress"'::jsonb, '"resolved"'::jsonb, '',
              '{}'::jsonb, resolved_at
       FROM tickets_ticket WHERE resolved_at IS NOT NULL ORDER BY resolved_at""",
]

# One routing decision per ticket (90% kept the queue), a second one for 10% of them.
LOGS = """
INSERT INTO routing_classificationlog (
    ticket_id, created_at, source, input_snapshot, rules_fired, model_name, model_version,
    queue, category, priority, confidence, probabilities, triaged, reason, error, latency_ms,
    input_tokens, output_tokens, cost_usd)
SELECT t.id, t.created_at + interval '1 second' * step, src, '{}'::jsonb, '[]'::jsonb, '',
    CASE WHEN src = 'claude' THEN 'claude-sonnet-4-5'
         WHEN t.created_at < now() - interval '1 year' THEN '3' ELSE '4' END,
    CASE WHEN random() < 0.9 THEN q.slug
         ELSE (%(slugs)s::text[])[1 + floor(random() * %(nqueues)s)::int] END,
    '', t.priority, t.confidence, '{}'::jsonb, t.confidence < 0.08, '', '', 12.5,
    CASE WHEN src = 'claude' THEN 900 ELSE 0 END, CASE WHEN src = 'claude' THEN 80 ELSE 0 END,
    CASE WHEN src = 'claude' THEN 0.0039 ELSE 0 END
FROM (SELECT *, CASE WHEN random() < 0.12 THEN 'claude' ELSE 'local' END AS src
      FROM tickets_ticket) t
JOIN tickets_queue q ON q.id = t.queue_id
CROSS JOIN generate_series(1, CASE WHEN t.confidence > 0.9 THEN 2 ELSE 1 END) AS step
ORDER BY t.created_at
"""

ATTEMPTS = """
INSERT INTO agents_airesolutionattempt (ticket_id, source, context, draft, confidence, action,
                                        error, created_at)
SELECT id, 'llm', '{}'::jsonb, '', random(),
       (ARRAY['resolved','review','handoff','suggestion'])[1 + floor(random() * 4)::int], '',
       created_at + interval '2 minutes'
FROM tickets_ticket TABLESAMPLE BERNOULLI (5) ORDER BY created_at
"""


def ticket_params(
    queues, slugs, categories, agents, n: int, offset: int = 0, total: int = 1
) -> dict:
    """Tickets are generated in time order (as a live system inserts them), with jitter."""
    return {
        "n": n,
        "offset": offset,
        "total": total,
        "queues": queues,
        "nqueues": len(queues),
        "categories": categories,
        "ncategories": len(categories),
        "agents": agents,
        "nagents": len(agents),
        "subjects": SUBJECTS,
        "nsubjects": len(SUBJECTS),
        "tags": TAG_SETS,
        "ntags": len(TAG_SETS),
        "slugs": slugs,
    }
