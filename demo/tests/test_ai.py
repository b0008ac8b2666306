"""The demo's AI-resolved queue: the AI agent answers from saved replies, for each customer."""

import pytest

from agents.models import AgentKind, AIAction, AIResolutionAttempt
from agents.tests.factories import AgentFactory
from demo.ai import demo_ai_seed
from tickets.models import Status, Ticket
from tickets.tests.factories import QueueFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_self_service_queue_answers_resets_and_invoices_and_hands_over_the_rest():
    customers = [UserFactory(first_name=name, last_name="Demo") for name in ("Ann", "Ben", "Cy")]
    people = [UserFactory() for _ in range(2)]  # account-access agents take the hand-overs
    access = QueueFactory(slug="account-access")
    for person in people:
        AgentFactory(user=person, all_queues=False).queues.add(access)

    outcome = demo_ai_seed(customers=customers)

    assert outcome["handled"] == {"resolved": 2, "review": 0, "handoff": 1}
    resolved = Ticket.objects.filter(status=Status.RESOLVED, queue__slug="self-service")
    for ticket in resolved:
        assert ticket.assigned_agent.kind == AgentKind.AI
        answer = ticket.comments.get(internal=False).body
        assert ticket.customer.first_name in answer and ticket.ref in answer
        others = {c.first_name for c in customers} - {ticket.customer.first_name}
        assert not [name for name in others if name in answer]
    handed = AIResolutionAttempt.objects.get(action=AIAction.HANDOFF).ticket
    assert handed.assigned_agent.user in people and handed.status == Status.ASSIGNED
    assert demo_ai_seed(customers=customers)["tickets"] == 0  # idempotent
