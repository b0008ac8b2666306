"""Agent operations: reassign and correct, with validation and events."""

import pytest

from agents.tests.factories import AgentFactory
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import CategoryFactory, QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


def act(ticket, action: str) -> str:
    return f"/api/v1/tickets/{ticket.pk}/{action}/"


def test_reassign_to_a_queue_records_an_event(api, agent, ticket):
    QueueFactory(slug="billing")
    response = api(agent.user).post(
        act(ticket, "reassign"), {"queue": "billing", "reason": "It is a refund"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["queue"] == "billing"
    event = TicketEvent.objects.get(ticket=ticket, kind="reassigned", field="queue")
    assert (event.before, event.after, event.reason) == ("general", "billing", "It is a refund")
    assert event.actor == agent.user


def test_reassign_to_an_agent(api, manager, ticket):
    other = AgentFactory()
    response = api(manager).post(
        act(ticket, "reassign"), {"agent": other.pk, "reason": "Speaks German"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["assigned_agent"] == {"id": other.pk, "name": other.name}
    assert Ticket.objects.get(pk=ticket.pk).assigned_agent == other


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"queue": "billing"}, "reason"),
        ({"queue": "billing", "reason": "  "}, "reason"),
        ({"reason": "why"}, "non_field_errors"),
        ({"queue": "nope", "reason": "why"}, "queue"),
        ({"agent": 999999, "reason": "why"}, "agent"),
        ({"agent": "abc", "reason": "why"}, "agent"),
        ({"agent": 10**30, "reason": "why"}, "agent"),
    ],
)
def test_reassign_invalid_input_is_400_and_changes_nothing(api, agent, ticket, data, field):
    QueueFactory(slug="billing")
    response = api(agent.user).post(act(ticket, "reassign"), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert Ticket.objects.get(pk=ticket.pk).queue.slug == "general"
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_reassign_a_closed_ticket_is_409(api, agent, queue):
    ticket = TicketFactory(queue=queue, status="closed")
    QueueFactory(slug="billing")
    response = api(agent.user).post(
        act(ticket, "reassign"), {"queue": "billing", "reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).queue == queue


def test_correct_records_one_event_per_changed_field(api, agent, ticket):
    CategoryFactory(slug="refund")
    QueueFactory(slug="billing")
    response = api(agent.user).post(
        act(ticket, "correct"),
        {"category": "refund", "priority": "urgent", "queue": "billing", "reason": "misrouted"},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["category"], data["priority"], data["queue"]) == ("refund", "urgent", "billing")
    events = TicketEvent.objects.filter(ticket=ticket, kind="corrected")
    assert {(e.field, e.before, e.after) for e in events} == {
        ("category", None, "refund"),
        ("priority", "normal", "urgent"),
        ("queue", "general", "billing"),
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "nope"}, "category"),
        ({"queue": "nope"}, "queue"),
        ({"priority": "critical"}, "priority"),
        ({}, "non_field_errors"),
        ({"reason": "only a reason"}, "non_field_errors"),
    ],
)
def test_correct_invalid_input_is_400_and_changes_nothing(api, agent, ticket, data, field):
    response = api(agent.user).post(act(ticket, "correct"), data, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.priority, fresh.queue_id, fresh.category_id) == ("normal", ticket.queue_id, None)
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_inactive_queue_is_refused(api, agent, ticket):
    QueueFactory(slug="old", is_active=False)
    response = api(agent.user).post(act(ticket, "correct"), {"queue": "old"}, format="json")
    assert response.status_code == 400
    assert "queue" in response.json()["fields"]


def test_agent_outside_the_queue_gets_404(api, ticket):
    outsider = AgentFactory(all_queues=False)
    outsider.queues.add(QueueFactory(slug="other"))
    for action, data in [
        ("status", {"status": "in_progress"}),
        ("reassign", {"queue": "other", "reason": "x"}),
        ("correct", {"priority": "high"}),
    ]:
        assert api(outsider.user).post(act(ticket, action), data, format="json").status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


# --- a limited agent moves a ticket out of their queues (issue #17) ------------------------


@pytest.fixture
def limited(queue):
    agent = AgentFactory(all_queues=False)
    agent.queues.add(queue)
    QueueFactory(slug="billing")
    return agent


@pytest.mark.parametrize(
    "action,data",
    [
        ("reassign", {"queue": "billing", "reason": "A refund question"}),
        ("correct", {"queue": "billing"}),
    ],
)
def test_a_limited_agent_moving_a_ticket_out_is_told_it_left_their_view(
    api, limited, ticket, action, data
):
    response = api(limited.user).post(act(ticket, action), data, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(ticket.pk)
    assert body["queue"] == "billing" and body["still_visible"] is False
    assert Ticket.objects.get(pk=ticket.pk).queue.slug == "billing"  # the change stands
    assert api(limited.user).get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404


def test_a_change_that_keeps_the_ticket_in_view_says_so(api, limited, ticket):
    response = api(limited.user).post(act(ticket, "correct"), {"priority": "high"}, format="json")
    assert response.status_code == 200
    assert response.json()["still_visible"] is True and response.json()["priority"] == "high"
