"""Fault: Claude slow, rate-limited (429), failing (500) or answering with invalid tool input,
while it is asked first (HELPDESK_LLM_POLICY=always). Every ticket taken in through the webhook
is still routed, by the fallback, within the Claude budget (HELPDESK_LLM_TIMEOUT) plus the
intake's own time. Claude is the real anthropic SDK against a local fake Messages API."""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from journey.tests.webhook_helpers import payload, post
from routing.models import ClassificationLog
from routing.tests.fake_anthropic import FakeAnthropic
from tickets.models import Category, Queue, Ticket

pytestmark = pytest.mark.django_db

BUDGET = 0.5  # seconds for the whole Claude call (HELPDESK_LLM_TIMEOUT in these tests)
INTAKE_ALLOWANCE = 1.0  # seconds the rest of an inline intake may take on a loaded test box
VALID = {
    "queue": "billing",
    "queue_confidence": 0.95,
    "category": "billing-issue",
    "category_confidence": 0.9,
    "priority": "high",
    "priority_confidence": 0.8,
    "language": "en",
    "reason": "Charged twice.",
}


@pytest.fixture
def claude(settings, tmp_path):
    server = FakeAnthropic().start()
    settings.ANTHROPIC_API_KEY = "test-key"
    settings.ANTHROPIC_BASE_URL = server.base_url
    settings.HELPDESK_LLM_POLICY = "always"
    settings.HELPDESK_LLM_TIMEOUT = BUDGET
    settings.HELPDESK_MODEL_DIR = tmp_path  # no local model: the fallback is the default queue
    settings.HELPDESK_DEFAULT_QUEUE = "general"
    settings.HELPDESK_INGEST_DEFERRED = False
    Queue.objects.create(slug="general", name="General")
    Queue.objects.create(slug="billing", name="Billing", description="Invoices and refunds.")
    Category.objects.create(slug="billing-issue", name="Billing issue")
    server.tool_input = dict(VALID)
    cache.clear()
    yield server
    server.stop()


def take_in(external_id: str) -> tuple[Ticket, float]:
    started = time.monotonic()
    response = post(Client(), payload(external_id=external_id, subject="Charged twice"))
    elapsed = time.monotonic() - started
    assert response.status_code == 201
    return Ticket.objects.get(external_id=external_id), elapsed


def test_a_healthy_claude_routes_the_ticket(claude):
    ticket, _ = take_in("ok")
    assert ticket.queue.slug == "billing"
    assert ClassificationLog.objects.get(ticket=ticket).source == "claude"


@pytest.mark.parametrize(
    "fault, reason",
    [
        ("slow", "timed out"),
        ("429", "429"),
        ("500", "500"),
        ("invalid tool input", "not allowed"),
        ("malformed", ""),
    ],
)
def test_claude_faults_fall_back_within_the_budget(claude, fault, reason):
    if fault == "invalid tool input":
        claude.tool_input = {**VALID, "queue": "marketing", "priority": "critical"}
    else:
        claude.mode = fault
        claude.delay = 3.0  # "slow": far over the budget

    ticket, elapsed = take_in(f"fault-{fault}")

    assert ticket.queue is not None and ticket.queue.slug == "general"
    assert "claude unavailable" in ticket.routing_reason
    assert reason.lower() in ticket.routing_reason.lower()
    assert "default queue 'General'" in ticket.routing_reason
    assert elapsed < BUDGET + INTAKE_ALLOWANCE, f"{fault}: {elapsed:.2f}s"
    assert len(claude.requests) == 1  # no retry eats the budget
    assert not Ticket.objects.filter(queue__isnull=True).exists()
