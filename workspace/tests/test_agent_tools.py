"""The workspace's macro picker (search, preview, apply) and the list's bulk actions, through the
test client: what an agent sees and what changes."""

import pytest

from agents.models import SavedReply
from agents.tests.factories import AgentFactory
from tickets.models import Comment, Status, Ticket
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def worked(customer, queue, agent):
    customer.first_name, customer.last_name = "Alice", "<b>Adams</b>"
    customer.save()
    return TicketFactory(customer=customer, queue=queue, status="in_progress", assigned_agent=agent)


@pytest.fixture
def resolve_macro():
    return SavedReply.objects.create(
        name="Solved", body="Hi {{ customer_name }}, all done.", set_status="resolved"
    )


def test_ticket_page_lists_macros_and_search_filters_them(agent_client, worked, resolve_macro):
    SavedReply.objects.create(name="Refund sent", body="Money is on its way.")
    page = agent_client.get(f"/workspace/tickets/{worked.pk}/").content.decode()
    assert "Find a macro" in page and "Solved" in page and "Refund sent" in page
    found = agent_client.get(f"/workspace/tickets/{worked.pk}/macros/", {"q": "money"}, **HX)
    assert "Refund sent" in found.content.decode() and "Solved" not in found.content.decode()
    none = agent_client.get(f"/workspace/tickets/{worked.pk}/macros/", {"q": "<x>"}, **HX)
    assert "No macro matches “&lt;x&gt;”" in none.content.decode()


def test_preview_shows_the_filled_text_escaped_and_the_actions(agent_client, worked, resolve_macro):
    response = agent_client.get(f"/workspace/tickets/{worked.pk}/macros/{resolve_macro.pk}/", **HX)
    html = response.content.decode()
    assert "Hi Alice &lt;b&gt;Adams&lt;/b&gt;, all done." in html
    assert "Status → resolved" in html
    assert 'type="submit" >Apply' in html or ">Apply</button>" in html
    assert Comment.objects.count() == 0  # a preview changes nothing


def test_preview_says_why_a_macro_cannot_apply(agent_client, queue, resolve_macro):
    ticket = TicketFactory(queue=queue, status="open")
    html = agent_client.get(f"/workspace/tickets/{ticket.pk}/macros/{resolve_macro.pk}/", **HX)
    assert "cannot go from &#x27;open&#x27; to &#x27;resolved&#x27;" in html.content.decode()
    assert "disabled" in html.content.decode()


def test_apply_sends_the_reply_and_refreshes_the_page(agent_client, worked, resolve_macro):
    url = f"/workspace/tickets/{worked.pk}/macros/{resolve_macro.pk}/apply/"
    response = agent_client.post(url, **HX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "helpdesk:ticket"
    assert "Applied “Solved”" in response.content.decode()
    assert Ticket.objects.get(pk=worked.pk).status == "resolved"
    assert Comment.objects.get(ticket=worked).body == "Hi Alice <b>Adams</b>, all done."


def test_apply_refused_shows_the_reason_and_changes_nothing(agent_client, queue, resolve_macro):
    ticket = TicketFactory(queue=queue, status="open")
    url = f"/workspace/tickets/{ticket.pk}/macros/{resolve_macro.pk}/apply/"
    response = agent_client.post(url, **HX)
    assert response.status_code == 409
    assert "cannot go from" in response.content.decode()
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_another_agents_personal_macro_is_not_offered_or_applied(agent_client, worked):
    theirs = SavedReply.objects.create(name="Private", body="x", owner=AgentFactory())
    page = agent_client.get(f"/workspace/tickets/{worked.pk}/").content.decode()
    assert "Private" not in page
    url = f"/workspace/tickets/{worked.pk}/macros/{theirs.pk}/apply/"
    assert agent_client.post(url, **HX).status_code == 404
    assert not Comment.objects.exists()


# --- bulk actions from the list ------------------------------------------------------------------


def test_list_has_checkboxes_and_the_action_bar(agent_client, queue):
    TicketFactory(queue=queue, subject="First")
    html = agent_client.get("/workspace/?view=open").content.decode()
    assert 'aria-label="Select all in view"' in html
    assert 'name="ids"' in html and 'form="bulk-form"' in html
    assert "Apply to selected" in html


def test_bulk_resolve_from_the_list(agent_client, queue):
    a = TicketFactory(queue=queue, status="in_progress", subject="Printer jam")
    b = TicketFactory(queue=queue, status="pending_customer", subject="Toner <empty>")
    c = TicketFactory(queue=queue, status="assigned", subject="Still new")
    response = agent_client.post(
        "/workspace/bulk/",
        {"ids": [a.pk, b.pk, c.pk], "action": "status", "status": "resolved"},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "helpdesk:changed"
    assert "2 of 3 tickets changed." in html
    assert "Toner &lt;empty&gt;" in html
    assert (
        f'data-bulk-failed="{c.pk}"' in html
        and "&#x27;assigned&#x27; to &#x27;resolved&#x27;" in html
    )
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert [statuses[t.pk] for t in (a, b, c)] == [Status.RESOLVED, Status.RESOLVED, "assigned"]


def test_bulk_tags_assign_queue_and_macro_from_the_list(agent_client, queue, agent):
    billing = QueueFactory(slug="billing")
    t = TicketFactory(queue=queue, status="in_progress")
    post = lambda data: agent_client.post("/workspace/bulk/", {"ids": [t.pk], **data}, **HX)  # noqa: E731
    assert post({"action": "tags", "tags": "vip, refund"}).status_code == 200
    assert post({"action": "assign", "agent": agent.pk}).status_code == 200
    assert post({"action": "queue", "queue": billing.pk}).status_code == 200
    m = SavedReply.objects.create(name="Thanks", body="Thanks!")
    assert post({"action": "macro", "macro": m.pk}).status_code == 200
    t.refresh_from_db()
    assert (t.tags, t.assigned_agent, t.queue) == (["vip", "refund"], agent, billing)
    assert Comment.objects.filter(ticket=t, body="Thanks!").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "status", "status": "resolved"}, "Tick the tickets"),
        ({"ids": ["x"], "action": "status"}, "Choose what to set."),
        ({"ids": ["x"], "action": "explode"}, "valid choice"),
    ],
)
def test_bulk_without_what_it_needs_says_so(agent_client, data, message):
    response = agent_client.post("/workspace/bulk/", data, **HX)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bulk_is_for_staff(client, customer, queue):
    ticket = TicketFactory(queue=queue, customer=customer, status="in_progress")
    client.force_login(customer)
    data = {"ids": [ticket.pk], "action": "status", "status": "resolved"}
    assert client.post("/workspace/bulk/", data).status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
