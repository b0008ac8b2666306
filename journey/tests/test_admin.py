"""The Ticket admin (journey/admin.py): its pages render, history is readable, ticket text is
escaped everywhere, and corrections and closing go through the journey's services."""

import pytest

from journey import services
from tickets.models import Comment, Status, Ticket, TicketEvent
from tickets.tests.admin_support import XSS, admin_url, superuser_client, ticket_objects
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return superuser_client(client)


@pytest.fixture
def objects(customer, agent):
    return ticket_objects(customer, agent)


@pytest.mark.parametrize("model", [Ticket])
def test_changelist_and_change_view_render(admin_client, objects, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    change = admin_client.get(admin_url(model, "change", objects[model].pk))
    assert change.status_code == 200


def test_changelists_search_and_filter(admin_client, objects):
    url = admin_url(Ticket, "changelist")
    assert "Refund" in admin_client.get(url, {"q": "Refund"}).content.decode()
    assert admin_client.get(url, {"status__exact": "assigned", "state": "open"}).status_code == 200


def test_ticket_text_is_escaped_everywhere(admin_client, objects):
    ticket = objects[Ticket]
    for url in (
        admin_url(Ticket, "changelist"),
        admin_url(Ticket, "change", ticket.pk),
        admin_url(Comment, "changelist"),
        admin_url(TicketEvent, "changelist"),
    ):
        html = admin_client.get(url).content.decode()
        assert XSS not in html
    html = admin_client.get(admin_url(Ticket, "change", ticket.pk)).content.decode()
    assert "&lt;script&gt;" in html


def test_ticket_page_shows_routing_and_readable_history(admin_client, objects):
    ticket = objects[Ticket]
    html = admin_client.get(admin_url(Ticket, "change", ticket.pk)).content.decode()
    assert "0.42" in html
    assert "rule &#x27;refund words&#x27; fired" in html
    for text in ("reassigned", "triage", "billing", "wrong queue", "agent@example.com"):
        assert text in html


def test_saving_routing_fields_records_a_correction(admin_client, objects):
    ticket = objects[Ticket]
    other = QueueFactory(slug="shipping", name="Shipping")
    response = admin_client.post(
        admin_url(Ticket, "change", ticket.pk),
        {
            "queue": other.pk,
            "category": "",
            "priority": "high",
            "comments-TOTAL_FORMS": "1",
            "comments-INITIAL_FORMS": "1",
            "comments-0-id": objects[Comment].pk,
            "comments-0-ticket": ticket.pk,
            "events-TOTAL_FORMS": "1",
            "events-INITIAL_FORMS": "1",
            "events-0-id": objects[TicketEvent].pk,
            "events-0-ticket": ticket.pk,
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.priority) == (other, "high")
    corrected = ticket.events.filter(kind="corrected")
    assert set(corrected.values_list("field", flat=True)) == {"queue", "priority"}
    assert corrected.first().actor == admin_client.user


def test_close_resolved_action_uses_the_lifecycle(admin_client, objects, agent):
    ticket = objects[Ticket]
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.IN_PROGRESS)
    services.ticket_change_status(ticket=ticket, user=agent.user, status=Status.RESOLVED)
    still_open = TicketFactory(status=Status.IN_PROGRESS)
    admin_client.post(
        admin_url(Ticket, "changelist"),
        {"action": "close_resolved", "_selected_action": [ticket.pk, still_open.pk]},
    )
    ticket.refresh_from_db()
    still_open.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert still_open.status == Status.IN_PROGRESS


def test_ticket_page_lists_its_files_with_a_checked_download_link(admin_client, objects, agent):
    from tickets.services.attachments import incoming_bytes

    ticket = objects[Ticket]
    comment = services.comment_add(
        ticket=ticket,
        user=agent.user,
        body="log attached",
        files=[incoming_bytes(name="<i>app.log", data=b"trace")],
    )
    attachment = comment.attachments.get()
    html = admin_client.get(admin_url(Ticket, "change", ticket.pk)).content.decode()
    assert f'href="/api/v1/attachments/{attachment.pk}/">_i_app.log</a>' in html
