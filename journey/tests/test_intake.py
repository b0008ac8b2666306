"""`ticket_submit`: the ticket is stored once per external id with its first event, and routed then
assigned before it is returned."""

import pytest

from agents.tests.helpers import make_agent
from journey.services import ticket_submit
from tickets.models import Status, TicketEvent


@pytest.mark.django_db
def test_ticket_create_stores_ticket_and_first_event(customer):
    result = ticket_submit(subject="Hi", body="Help", channel="api", customer=customer)
    assert result.created
    assert result.ticket.status == Status.OPEN
    assert result.ticket.customer_email == customer.email
    assert TicketEvent.objects.filter(ticket=result.ticket, kind="created").count() == 1


@pytest.mark.django_db
def test_ticket_create_is_idempotent_on_external_id():
    first = ticket_submit(subject="A", body="b", channel="email", external_id="x-1")
    second = ticket_submit(subject="A", body="b", channel="email", external_id="x-1")
    assert not second.created
    assert first.ticket.pk == second.ticket.pk


@pytest.mark.django_db
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
