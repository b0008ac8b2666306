"""`POST /api/v1/tickets/{id}/tags/` and `/merge/`: the contract's shapes, who may, clear errors,
and a merged ticket's mail thread landing on the target."""

import pytest

from agents.tests.factories import AgentFactory
from tickets.models import Comment, MailMessage, Status, Ticket, TicketEvent
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

from .test_mail_in import post, raw_mail

pytestmark = pytest.mark.django_db


def act(ticket, action: str) -> str:
    return f"/api/v1/tickets/{ticket.pk}/{action}/"


# --- tags ----------------------------------------------------------------------------------


def test_tags_add_and_remove(api, agent, ticket):
    ticket.tags = ["billing"]
    ticket.save()
    response = api(agent.user).post(
        act(ticket, "tags"), {"add": [" VIP ", "Refund"], "remove": ["billing"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"tags": ["vip", "refund"]}
    assert api(agent.user).get(f"/api/v1/tickets/{ticket.pk}/").json()["tags"] == ["vip", "refund"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "non_field_errors"),
        ({"add": "vip"}, "add"),
        ({"add": ["ok", "not ok!"]}, "add"),
        ({"add": ["", "a b!"]}, "add"),
        ({"add": ["x" * 51]}, "add"),
        ({"add": [{"a": 1}]}, "add"),
        ({"remove": [7]}, "remove"),
        ({"add": ["vip"], "remove": ["vip"]}, "remove"),
        ({"add": [f"t{n}" for n in range(21)]}, "add"),
    ],
)
def test_bad_tags_are_a_400_naming_the_field(api, agent, ticket, data, field):
    response = api(agent.user).post(act(ticket, "tags"), data, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid" and field in body["fields"]
    assert Ticket.objects.get(pk=ticket.pk).tags == []


def test_customers_may_not_tag_even_their_own_ticket(api, customer, ticket):
    response = api(customer).post(act(ticket, "tags"), {"add": ["vip"]}, format="json")
    assert response.status_code == 403
    assert api(None).post(act(ticket, "tags"), {"add": ["vip"]}, format="json").status_code in (
        401,
        403,
    )


def test_an_agent_cannot_tag_a_ticket_it_cannot_see(api, customer):
    hidden = TicketFactory(customer=customer, queue=QueueFactory(slug="hidden"))
    agent = AgentFactory(all_queues=False)
    response = api(agent.user).post(act(hidden, "tags"), {"add": ["vip"]}, format="json")
    assert response.status_code == 404


# --- merge ---------------------------------------------------------------------------------


@pytest.fixture
def pair(customer, queue):
    target = TicketFactory(customer=customer, queue=queue, status=Status.IN_PROGRESS)
    source = TicketFactory(customer=customer, queue=queue, subject="Duplicate")
    return source, target


def test_merge_answers_with_the_target_and_the_source_is_closed(api, agent, customer, pair):
    source, target = pair
    said = Comment.objects.create(ticket=source, author=customer, author_kind="customer", body="+1")
    response = api(agent.user).post(act(source, "merge"), {"into": str(target.pk)}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(target.pk)
    shown = api(agent.user).get(f"/api/v1/tickets/{source.pk}/").json()
    assert (shown["status"], shown["merged_into"]) == ("closed", str(target.pk))
    comments = api(customer).get(f"/api/v1/tickets/{target.pk}/comments/").json()
    bodies = [c["body"] for c in comments]
    assert "+1" in bodies and any("Duplicate" in b for b in bodies)
    assert Comment.objects.get(pk=said.pk).ticket_id == target.pk


def test_merge_by_short_reference(api, agent, pair):
    source, target = pair
    response = api(agent.user).post(act(source, "merge"), {"into": f"#{target.ref}"}, format="json")
    assert response.status_code == 200, response.content
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


@pytest.mark.parametrize("into", ["nope", "", "12345678", "00000000-0000-0000-0000-000000000000"])
def test_merge_into_an_unknown_ticket_is_404_or_400(api, agent, pair, into):
    source, _ = pair
    response = api(agent.user).post(act(source, "merge"), {"into": into}, format="json")
    assert response.status_code in (400, 404), response.content
    assert "into" in response.json()["fields"]
    assert Ticket.objects.get(pk=source.pk).status == Status.OPEN


def test_merge_into_a_ticket_the_agent_cannot_see_is_404(api, customer, queue, pair):
    source, _ = pair
    hidden = TicketFactory(customer=customer, queue=QueueFactory(slug="hidden"))
    agent = AgentFactory(all_queues=False, user=UserFactory(username="lim@example.com"))
    agent.queues.add(queue)
    response = api(agent.user).post(act(source, "merge"), {"into": str(hidden.pk)}, format="json")
    assert response.status_code == 404
    assert not TicketEvent.objects.filter(kind__in=["merged", "merged_in"]).exists()


def test_merge_refusals_are_409_and_change_nothing(api, agent, pair):
    source, target = pair
    itself = api(agent.user).post(act(source, "merge"), {"into": str(source.pk)}, format="json")
    assert (itself.status_code, itself.json()["error"]) == (409, "conflict")
    Ticket.objects.filter(pk=target.pk).update(status=Status.CLOSED)
    closed = api(agent.user).post(act(source, "merge"), {"into": str(target.pk)}, format="json")
    assert closed.status_code == 409
    assert Ticket.objects.get(pk=source.pk).status == Status.OPEN
    assert not TicketEvent.objects.exists()


def test_merge_across_customers_is_for_managers(api, agent, manager, other_customer, pair):
    source, _ = pair
    theirs = TicketFactory(customer=other_customer, queue=source.queue)
    by_agent = api(agent.user).post(act(source, "merge"), {"into": str(theirs.pk)}, format="json")
    assert by_agent.status_code == 403
    by_manager = api(manager).post(act(source, "merge"), {"into": str(theirs.pk)}, format="json")
    assert by_manager.status_code == 200, by_manager.content


def test_customers_may_not_merge(api, customer, pair):
    source, target = pair
    response = api(customer).post(act(source, "merge"), {"into": str(target.pk)}, format="json")
    assert response.status_code == 403


def test_later_mail_to_the_merged_thread_lands_on_the_target(api, agent, queue):
    target = TicketFactory(customer=None, customer_email="alice@example.com", queue=queue)
    source = TicketFactory(
        customer=None, customer_email="alice@example.com", queue=queue, subject="Crash"
    )
    MailMessage.objects.create(ticket=source, direction="out", message_id="<ours@desk>")
    MailMessage.objects.create(ticket=source, direction="in", message_id="<theirs@mail>")
    merged = api(agent.user).post(act(source, "merge"), {"into": str(target.pk)}, format="json")
    assert merged.status_code == 200, merged.content

    by_header = post(raw_mail(message_id="<r1@mail>", In_Reply_To="<ours@desk>"))
    by_token = post(raw_mail(message_id="<r2@mail>", subject=f"Re: Crash [#{source.ref}]"))

    for response in (by_header, by_token):
        assert response.status_code == 201, response.content
        assert response.json()["ticket_id"] == str(target.pk)
    assert Ticket.objects.count() == 2
    assert target.comments.filter(author_kind="customer").count() == 2
    assert Ticket.objects.get(pk=source.pk).status == Status.CLOSED
