"""Every status change through the API: each legal one works, every other one is a 409 that
changes nothing (CONTRACT.md: Statuses)."""

import itertools

import pytest

from tickets.models import Status, Ticket, TicketEvent
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

# Written out from the contract on purpose, not imported from tickets.lifecycle.
LEGAL = {
    ("open", "in_progress"),
    ("assigned", "in_progress"),
    ("escalated", "in_progress"),
    ("in_progress", "pending_customer"),
    ("pending_customer", "in_progress"),
    ("in_progress", "resolved"),
    ("pending_customer", "resolved"),
    ("resolved", "closed"),
}
PAIRS = list(itertools.product(Status.values, Status.values))


def change(client, ticket, status):
    return client.post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": status}, format="json")


@pytest.mark.parametrize(("before", "after"), sorted(LEGAL))
def test_legal_transition(api, agent, customer, queue, before, after):
    ticket = TicketFactory(customer=customer, queue=queue, status=before)
    response = change(api(agent.user), ticket, after)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == after
    ticket.refresh_from_db()
    assert ticket.status == after
    event = TicketEvent.objects.get(ticket=ticket, kind="status_changed")
    assert (event.before, event.after, event.actor) == (before, after, agent.user)
    assert (ticket.resolved_at is not None) == (after == "resolved")
    assert (ticket.closed_at is not None) == (after == "closed")


@pytest.mark.parametrize(
    ("before", "after"), [pair for pair in PAIRS if pair not in LEGAL], ids=lambda v: v
)
def test_illegal_transition_is_409_and_changes_nothing(api, agent, queue, before, after):
    ticket = TicketFactory(queue=queue, status=before)
    snapshot = Ticket.objects.values().get(pk=ticket.pk)
    response = change(api(agent.user), ticket, after)
    assert response.status_code == 409, response.content
    assert response.json()["error"] == "conflict"
    assert Ticket.objects.values().get(pk=ticket.pk) == snapshot
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_manager_moves_tickets_too(api, manager, queue):
    ticket = TicketFactory(queue=queue, status="open")
    assert change(api(manager), ticket, "in_progress").status_code == 200


@pytest.mark.parametrize("status", ["done", "", None, 3])
def test_unknown_status_is_400(api, agent, ticket, status):
    response = change(api(agent.user), ticket, status)
    assert response.status_code == 400
    assert "status" in response.json()["fields"]
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_full_journey(api, agent, customer, queue):
    """Open → in progress → waiting → customer replies → resolved → customer reopens → closed."""
    staff, owner = api(agent.user), api(customer)
    created = owner.post(
        "/api/v1/tickets/", {"subject": "App crashes", "body": "On start"}, format="json"
    )
    ticket = Ticket.objects.get(pk=created.json()["id"])
    Ticket.objects.filter(pk=ticket.pk).update(queue=queue, status="open")
    comments = f"/api/v1/tickets/{ticket.pk}/comments/"

    assert change(staff, ticket, "in_progress").json()["status"] == "in_progress"
    assert change(staff, ticket, "pending_customer").json()["status"] == "pending_customer"
    assert owner.post(comments, {"body": "Here are the logs"}, format="json").status_code == 201
    assert owner.get(f"/api/v1/tickets/{ticket.pk}/").json()["status"] == "in_progress"
    assert change(staff, ticket, "resolved").json()["status"] == "resolved"
    assert owner.post(comments, {"body": "It is back"}, format="json").status_code == 201
    assert owner.get(f"/api/v1/tickets/{ticket.pk}/").json()["status"] == "open"
    assert change(staff, ticket, "in_progress").status_code == 200
    assert change(staff, ticket, "resolved").status_code == 200
    assert change(staff, ticket, "closed").json()["status"] == "closed"
    assert change(staff, ticket, "in_progress").status_code == 409
    assert owner.post(comments, {"body": "again"}, format="json").status_code == 409
