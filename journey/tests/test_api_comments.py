"""Comments: customer replies move the lifecycle; internal notes never reach customers."""

import pytest

from tickets.models import Comment, Ticket, TicketEvent
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/comments/"


def test_customer_replies_and_reads_the_conversation(api, customer, ticket):
    response = api(customer).post(url(ticket), {"body": " <p>Still broken</p> "}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["body"], data["author_kind"], data["internal"]) == (
        "Still broken",
        "customer",
        False,
    )
    listed = api(customer).get(url(ticket)).json()
    assert [item["body"] for item in listed] == ["Still broken"]


def test_internal_notes_never_reach_the_customer(api, customer, agent, ticket):
    staff = api(agent.user)
    assert (
        staff.post(
            url(ticket), {"body": "VIP, refund quietly", "internal": True}, format="json"
        ).status_code
        == 201
    )
    assert staff.post(url(ticket), {"body": "We are on it."}, format="json").status_code == 201

    customer_view = api(customer).get(url(ticket))
    assert [item["body"] for item in customer_view.json()] == ["We are on it."]
    assert "VIP" not in customer_view.content.decode()
    assert "VIP" not in api(customer).get(f"/api/v1/tickets/{ticket.pk}/").content.decode()
    assert "VIP" not in api(customer).get("/api/v1/tickets/").content.decode()

    staff_view = staff.get(url(ticket)).json()
    assert [(item["body"], item["internal"]) for item in staff_view] == [
        ("VIP, refund quietly", True),
        ("We are on it.", False),
    ]


def test_customer_cannot_write_internal_notes(api, customer, ticket):
    response = api(customer).post(url(ticket), {"body": "x", "internal": True}, format="json")
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_agent_public_reply_records_the_first_response(api, agent, ticket):
    api(agent.user).post(url(ticket), {"body": "note", "internal": True}, format="json")
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    api(agent.user).post(url(ticket), {"body": "Hello!"}, format="json")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("pending_customer", "in_progress"),
        ("resolved", "open"),
        ("open", "open"),
        ("in_progress", "in_progress"),
        ("assigned", "assigned"),
        ("escalated", "escalated"),
    ],
)
def test_customer_reply_resumes_or_reopens(api, customer, queue, before, after):
    ticket = TicketFactory(customer=customer, queue=queue, status=before)
    response = api(customer).post(url(ticket), {"body": "Any news?"}, format="json")
    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == after
    if before == "resolved":
        assert ticket.resolved_at is None and ticket.reopened_count == 1
    changed = TicketEvent.objects.filter(ticket=ticket, kind="status_changed")
    assert changed.count() == (0 if before == after else 1)


def test_closed_ticket_takes_no_comments(api, customer, queue):
    ticket = TicketFactory(customer=customer, queue=queue, status="closed")
    response = api(customer).post(url(ticket), {"body": "Hello?"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert Comment.objects.count() == 0
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


@pytest.mark.parametrize(
    "data", [{}, {"body": ""}, {"body": "   "}, {"body": "x", "internal": "maybe"}]
)
def test_invalid_comment_is_400(api, customer, ticket, data):
    response = api(customer).post(url(ticket), data, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]
    assert Comment.objects.count() == 0


def test_comment_on_someone_elses_ticket_is_404(api, other_customer, ticket):
    response = api(other_customer).post(url(ticket), {"body": "hi"}, format="json")
    assert response.status_code == 404
    assert api(other_customer).get(url(ticket)).status_code == 404
    assert Comment.objects.count() == 0
