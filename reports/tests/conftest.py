"""A small hand-computed world for the report tests (expected numbers are worked out in the tests).

`base` is midnight UTC ten days ago, so the default `days=30` period holds T1–T4; T5 and T6 were
created before it (in the previous period of the same length)."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from agents.tests.factories import AgentFactory
from routing.models import ClassificationLog
from tickets.models import Ticket
from tickets.tests.factories import CategoryFactory, QueueFactory, TicketFactory, UserFactory

H = timedelta(hours=1)


@dataclass
class World:
    base: datetime
    tickets: dict
    agents: dict
    queues: dict
    categories: dict


def midnight_days_ago(days: int) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=days), time.min, tzinfo=UTC)


def _ticket(email: str, **kwargs) -> Ticket:
    customer = UserFactory(username=email)
    return TicketFactory(customer=customer, customer_email=email, **kwargs)


@pytest.fixture
def world(db) -> World:
    base = midnight_days_ago(10)
    billing = QueueFactory(slug="billing", name="Billing")
    tech = QueueFactory(slug="tech", name="Tech")
    c1 = CategoryFactory(slug="payments", name="Payments")
    c2 = CategoryFactory(slug="crashes", name="Crashes")
    a1 = AgentFactory(user=UserFactory(username="ann@example.com", first_name="Ann", last_name="A"))
    a2 = AgentFactory(user=UserFactory(username="ben@example.com", first_name="Ben", last_name="B"))
    t1_at, t2_at = base + 10 * H, base + 12 * H
    t1 = _ticket(
        "alice@example.com",
        subject="Refund not received",
        created_at=t1_at,
        queue=billing,
        category=c1,
        priority="high",
        channel="email",
        assigned_agent=a1,
        status="resolved",
        first_response_at=t1_at + H,
        resolved_at=t1_at + 4 * H,
        sla_first_response_due=t1_at + 2 * H,
        sla_resolution_due=t1_at + 8 * H,
        csat_score=5,
        tags=["refund"],
    )
    t2 = _ticket(
        "alice@example.com",
        subject="Refund request for invoice",
        created_at=t2_at,
        queue=billing,
        category=c1,
        priority="high",
        channel="email",
        assigned_agent=a2,
        status="resolved",
        first_response_at=t2_at + 3 * H,
        resolved_at=t2_at + 10 * H,
        sla_first_response_due=t2_at + 2 * H,
        sla_resolution_due=t2_at + 8 * H,
        csat_score=3,
        reopened_count=1,
        tags=["refund", "vip"],
    )
    t3_at, t4_at = base + timedelta(days=1, hours=9), base + timedelta(days=1, hours=10)
    t3 = _ticket(
        "bob@example.com",
        subject="App crashes on login",
        created_at=t3_at,
        queue=tech,
        category=c2,
        priority="normal",
        channel="web",
        assigned_agent=a1,
        status="in_progress",
        first_response_at=t3_at + 2 * H,
        sla_first_response_due=t3_at + 4 * H,
        sla_resolution_due=timezone.now() + timedelta(days=1),
    )
    t4 = _ticket(
        "bob@example.com",
        subject="Login crashes again",
        created_at=t4_at,
        queue=tech,
        category=c2,
        priority="normal",
        channel="web",
        assigned_agent=a2,
        status="open",
        sla_first_response_due=t4_at + H,
    )
    t5 = _ticket(
        "carol@example.com",
        subject="Refund missing",
        created_at=base - timedelta(days=30),
        queue=billing,
        category=c1,
        priority="normal",
        channel="email",
        status="open",
        tags=["refund"],
    )
    t6 = _ticket(
        "dave@example.com",
        subject="Password reset",
        created_at=base - timedelta(days=45),
        queue=tech,
        category=c1,
        priority="low",
        channel="web",
        status="closed",
        resolved_at=base + timedelta(days=2, hours=12),
    )
    return World(
        base=base,
        tickets={"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6},
        agents={"a1": a1, "a2": a2},
        queues={"billing": billing, "tech": tech},
        categories={"c1": c1, "c2": c2},
    )


@pytest.fixture
def routing_logs(world) -> World:
    t = world.tickets
    first = ClassificationLog.objects.create(
        ticket=t["t1"], source="local", queue="billing", model_version="3", confidence=0.9
    )
    later = ClassificationLog.objects.create(
        ticket=t["t1"], source="local", queue="tech", model_version="3", confidence=0.5
    )
    claude = ClassificationLog.objects.create(
        ticket=t["t2"],
        source="claude",
        queue="tech",
        model_version="claude-x",
        triaged=True,
        confidence=0.4,
        cost_usd=Decimal("0.012500"),
        input_tokens=1000,
        output_tokens=50,
    )
    ClassificationLog.objects.create(
        ticket=t["t3"], source="local", queue="tech", model_version="3", confidence=0.8
    )
    ClassificationLog.objects.filter(pk=claude.pk).update(created_at=world.base + 13 * H)
    assert first.pk < later.pk
    return world
