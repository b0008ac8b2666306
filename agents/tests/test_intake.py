"""Assignment as a step of `ticket_submit`: the returned ticket is already assigned."""

import pytest

from agents.tests.helpers import make_agent
from journey.services import ticket_submit
from tickets.models import Status

pytestmark = pytest.mark.django_db


def test_ticket_create_routes_then_assigns(queue, customer, monkeypatch):
    published = []
    monkeypatch.setattr(
        "live.realtime.publish",
        lambda event, ticket, payload=None, **_: published.append((event, payload)),
    )
    agent = make_agent(languages=[])
    ticket = ticket_submit(
        subject="Cannot log in",
        body="The app says my password is wrong.",
        channel="api",
        customer=customer,
    ).ticket
    assert ticket.assigned_agent == agent
    assert ticket.status == Status.ASSIGNED
    ticket.refresh_from_db()
    assert ticket.assigned_agent == agent and ticket.status == Status.ASSIGNED
    assert ("ticket.assigned", {"agent": agent.name, "agent_id": agent.pk}) in published
    event = ticket.events.get(kind="assigned")
    assert event.data["score"]["agent_id"] == agent.pk and event.data["runner_up"] is None
