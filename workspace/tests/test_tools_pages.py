"""The ticket page's agent tools through the test client: tags (add, remove, suggestions, errors
inline, escaped) and merging (pick or type, confirm, refusals), staff only."""

import pytest

from agents.tests.factories import AgentFactory
from journey.services import ticket_merge
from tickets.models import Status, Ticket
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


def tags_url(ticket) -> str:
    return f"/workspace/tickets/{ticket.pk}/tags/"


def merge_url(ticket) -> str:
    return f"/workspace/tickets/{ticket.pk}/merge/"


def test_the_ticket_page_shows_tags_and_the_merge_action(agent_client, ticket, customer, queue):
    ticket.tags = ["vip"]
    ticket.save()
    other = TicketFactory(customer=customer, queue=queue, subject="Same problem")
    page = agent_client.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert 'aria-label="Remove tag vip"' in page and 'list="tag-suggestions"' in page
    assert "Merge into…" in page and f'value="{other.pk}"' in page


def test_adding_tags_in_the_workspace(agent_client, ticket):
    response = agent_client.post(tags_url(ticket), {"add": "Refund, late delivery"}, **HX)
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).tags == ["refund", "late-delivery"]
    assert "Remove tag late-delivery" in response.content.decode()
    assert response["HX-Trigger"] == "helpdesk:ticket"
    response = agent_client.post(tags_url(ticket), {"remove": "refund"}, **HX)
    assert Ticket.objects.get(pk=ticket.pk).tags == ["late-delivery"]


def test_a_bad_tag_is_shown_inline_and_kept_in_the_box(agent_client, ticket):
    response = agent_client.post(tags_url(ticket), {"add": "ok, <b>bad</b>"}, **HX)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "<b>bad</b>" not in page and "&lt;b&gt;bad" in page
    assert Ticket.objects.get(pk=ticket.pk).tags == []


def test_suggestions_are_the_tags_in_use_most_used_first(agent_client, queue):
    TicketFactory(queue=queue, tags=["refund", "vip"])
    TicketFactory(queue=queue, tags=["refund", "<script>x"])
    page = agent_client.get("/workspace/tags/suggestions/", {"add": "a, "}).content.decode()
    assert page.index('value="refund"') < page.index('value="vip"')
    assert "refund (2)" in page and "<script>" not in page
    narrowed = agent_client.get("/workspace/tags/suggestions/", {"add": "x, V"}).content.decode()
    assert 'value="vip"' in narrowed and "refund" not in narrowed


def test_customers_cannot_use_the_tools(client, customer, ticket):
    client.force_login(customer)
    assert client.post(tags_url(ticket), {"add": "vip"}).status_code == 403
    assert client.get("/workspace/tags/suggestions/").status_code == 403
    assert client.post(merge_url(ticket), {"into": str(ticket.pk)}).status_code == 403


def test_merging_asks_first_then_goes_to_the_target(agent_client, ticket, customer, queue):
    target = TicketFactory(customer=customer, queue=queue, subject="The <i>real</i> one")
    asked = agent_client.post(merge_url(ticket), {"into": str(target.pk)}, **HX)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert f"Merge this ticket into #{target.ref}" in page and "&lt;i&gt;real" in page
    assert "HX-Trigger" not in asked
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN  # nothing yet

    done = agent_client.post(merge_url(ticket), {"into": str(target.pk), "confirm": "1"}, **HX)
    assert done["HX-Redirect"] == f"/workspace/tickets/{target.pk}/"
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id == target.pk
    source_page = agent_client.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert f'Merged into <a href="/workspace/tickets/{target.pk}/">#{target.ref}' in source_page


def test_merging_by_a_typed_reference(agent_client, ticket, customer, queue):
    target = TicketFactory(customer=customer, queue=queue)
    asked = agent_client.post(merge_url(ticket), {"into_ref": f" #{target.ref.lower()} "}, **HX)
    assert f"#{target.ref}" in asked.content.decode() and asked.status_code == 200


@pytest.mark.parametrize("into", ["", "#ZZZZZZZZ", "12345678"])
def test_an_unknown_reference_is_said_inline(agent_client, ticket, into):
    response = agent_client.post(merge_url(ticket), {"into_ref": into}, **HX)
    assert response.status_code == 404 and 'role="alert"' in response.content.decode()


def test_refusals_are_said_before_confirming(agent_client, agent, ticket, other_customer, queue):
    itself = agent_client.post(merge_url(ticket), {"into": str(ticket.pk)}, **HX)
    assert itself.status_code == 409 and "into itself" in itself.content.decode()
    theirs = TicketFactory(customer=other_customer, queue=queue)
    other = agent_client.post(merge_url(ticket), {"into": str(theirs.pk)}, **HX)
    assert other.status_code == 403 and "manager" in other.content.decode()


def test_an_agent_cannot_merge_into_a_ticket_it_cannot_see(client, customer, ticket, queue):
    agent = AgentFactory(all_queues=False)
    agent.queues.add(queue)
    hidden = TicketFactory(customer=customer, queue=QueueFactory(slug="hidden"))
    client.force_login(agent.user)
    page = client.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert str(hidden.pk) not in page  # not offered
    response = client.post(merge_url(ticket), {"into": str(hidden.pk), "confirm": "1"}, **HX)
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_the_customer_finds_the_ticket_their_request_joined(client, customer, ticket, queue):
    target = TicketFactory(customer=customer, queue=queue, subject="Main one")
    ticket_merge(source=ticket, target=target, user=AgentFactory().user)
    client.force_login(customer)
    page = client.get(f"/support/tickets/{ticket.pk}/").content.decode()
    assert "This request was combined with" in page
    assert f'href="/support/tickets/{target.pk}/"' in page
