"""People moving a ticket (journey/services/changes.py): a reassignment is an event with its
reason, goes out live and tells the customer's phone."""

import pytest

from agents.models import Notification, PushDevice
from agents.services import ticket_assign
from agents.tests.helpers import make_agent
from journey.services import ticket_reassign

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "live.realtime.publish",
        lambda event, ticket, payload=None, **_: sent.append((event, payload)),
    )
    return sent


@pytest.fixture
def push(settings):
    settings.HELPDESK_FCM_PROJECT_ID = "demo-project"
    settings.HELPDESK_FCM_ACCESS_TOKEN = "token"


def test_reassignment_is_an_event_with_reason_and_tells_the_customer(
    ticket, agent, published, push
):
    agent.is_available = False  # the colleague doing the reassigning is not a candidate
    agent.save()
    PushDevice.objects.create(user=ticket.customer, platform="android", token="phone-1")
    first = make_agent(ticket.queue)
    ticket_assign(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.assigned_agent == first
    second = make_agent(ticket.queue)

    ticket_reassign(ticket=ticket, user=agent.user, agent=second, reason="needs a specialist")

    ticket.refresh_from_db()
    assert ticket.assigned_agent == second
    event = ticket.events.get(kind="reassigned")
    assert event.reason == "needs a specialist"
    assert event.actor == agent.user
    assert (event.before, event.after) == (first.name, second.name)
    assert event.data["from_agent_id"] == first.pk and event.data["to_agent_id"] == second.pk
    assert event.data["queue_id"] == ticket.queue_id
    assert ("ticket.reassigned", {"queue": ticket.queue.slug, "agent": second.name}) in published
    pushes = Notification.objects.filter(event="ticket.reassigned", backend="fcm")
    assert [n.recipient for n in pushes] == ["phone-1"]
    assert second.name in pushes[0].payload["body"]
