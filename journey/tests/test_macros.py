"""Macros: applying one posts its filled-in text and runs its actions through the same rules as
by hand, all or nothing; the list each person may use; managers add them; usage counted."""

import pytest

from agents.models import SavedReply
from agents.tests.factories import AgentFactory
from core.exceptions import ApplicationError, NotAllowed, TransitionError
from journey.services import macro_apply, macro_preview
from tickets.access import status_token_ticket_id
from tickets.models import Comment, Ticket, TicketEvent
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "Hi {{ customer_name }}, {{ ticket_ref }} is done. {{agent_name}} · {{ status_link }}"


def macro(**kwargs) -> SavedReply:
    kwargs.setdefault("name", "Refund done")
    kwargs.setdefault("body", BODY)
    return SavedReply.objects.create(**kwargs)


@pytest.fixture
def worked(customer, queue, agent):
    customer.first_name, customer.last_name = "Alice", "Adams"
    customer.save()
    agent.user.first_name, agent.user.last_name = "Ana", "Agent"
    agent.user.save()
    return TicketFactory(customer=customer, queue=queue, status="in_progress", assigned_agent=agent)


def apply(client, ticket, m):
    return client.post(f"/api/v1/tickets/{ticket.pk}/macros/{m.pk}/apply/", format="json")


# --- the service -------------------------------------------------------------------------------


def test_apply_posts_the_filled_reply_and_runs_every_action(worked, agent):
    billing = QueueFactory(slug="billing", name="Billing")
    agent.queues.add(billing)
    m = macro(set_status="resolved", set_priority="high", add_tags=["refund"], set_queue=billing)
    ticket = macro_apply(ticket=worked, user=agent.user, macro=m)

    reply = Comment.objects.get(ticket=worked)
    text, link = reply.body.split(" · ")
    assert text == f"Hi Alice Adams, {worked.ref} is done. Ana Agent"
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert status_token_ticket_id(token=token) == str(worked.pk)
    assert not reply.internal and reply.author == agent.user
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.queue, ticket.tags) == (
        "resolved",
        "high",
        billing,
        ["refund"],
    )
    kinds = set(TicketEvent.objects.filter(ticket=worked).values_list("kind", "field"))
    assert {
        ("comment", ""),
        ("corrected", "priority"),
        ("reassigned", "queue"),
        ("tags_changed", "tags"),
        ("status_changed", "status"),
    } <= kinds
    status_event = TicketEvent.objects.get(ticket=worked, kind="status_changed")
    assert status_event.reason == "macro “Refund done”"
    m.refresh_from_db()
    assert m.usage_count == 1


def test_a_status_the_lifecycle_forbids_changes_nothing(agent, queue):
    ticket = TicketFactory(queue=queue, status="assigned", assigned_agent=agent)
    m = macro(set_status="resolved", set_priority="urgent", add_tags=["x"])
    before = Ticket.objects.values().get(pk=ticket.pk)
    with pytest.raises(TransitionError, match="from 'assigned' to 'resolved'"):
        macro_apply(ticket=ticket, user=agent.user, macro=m)
    assert Ticket.objects.values().get(pk=ticket.pk) == before
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert SavedReply.objects.get(pk=m.pk).usage_count == 0


def test_a_refusal_late_in_the_run_takes_the_reply_and_priority_back(agent, queue):
    # a tag over the limit (stored around the admin's and API's checks) is refused only after
    # the reply and the priority were written: both are undone with it
    ticket = TicketFactory(queue=queue, status="in_progress")
    m = macro(set_priority="urgent", add_tags=["x" * 51], set_status="resolved")
    before = Ticket.objects.values().get(pk=ticket.pk)
    with pytest.raises(ApplicationError, match="at most 50"):
        macro_apply(ticket=ticket, user=agent.user, macro=m)
    assert Ticket.objects.values().get(pk=ticket.pk) == before
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_a_status_it_already_has_is_not_a_move(agent, queue):
    ticket = TicketFactory(queue=queue, status="pending_customer")
    macro_apply(ticket=ticket, user=agent.user, macro=macro(set_status="pending_customer"))
    assert Comment.objects.filter(ticket=ticket).count() == 1
    assert not TicketEvent.objects.filter(ticket=ticket, kind="status_changed").exists()


def test_customers_cannot_apply_macros(customer, ticket):
    with pytest.raises(NotAllowed):
        macro_apply(ticket=ticket, user=customer, macro=macro())


def test_preview_shows_text_actions_and_why_it_would_fail(worked, agent):
    preview = macro_preview(
        ticket=worked, user=agent.user, macro=macro(set_status="closed", add_tags=["a", "b"])
    )
    assert preview.text.startswith("Hi Alice Adams, ")
    assert preview.actions == ["Tags + a, b", "Status → closed"]
    assert preview.problem == "A ticket cannot go from 'in_progress' to 'closed'."


def test_a_name_that_looks_like_a_placeholder_is_not_filled_twice(queue, agent):
    sly = UserFactory(first_name="{{ status_link }}", last_name="")
    ticket = TicketFactory(customer=sly, queue=queue, status="in_progress")
    preview = macro_preview(
        ticket=ticket, user=agent.user, macro=macro(body="Hi {{ customer_name }}")
    )
    assert preview.text == "Hi {{ status_link }}"


# --- the API -----------------------------------------------------------------------------------


def test_api_apply_answers_with_the_ticket(api, worked, agent):
    m = macro(set_status="pending_customer", set_priority="low")
    response = apply(api(agent.user), worked, m)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["id"], data["status"], data["priority"]) == (
        str(worked.pk),
        "pending_customer",
        "low",
    )
    comments = api(agent.user).get(f"/api/v1/tickets/{worked.pk}/comments/").json()
    bodies = [
        c["body"]
        for c in (comments.get("results", comments) if isinstance(comments, dict) else comments)
    ]
    assert any(body.startswith("Hi Alice Adams") for body in bodies)


def test_api_apply_an_illegal_status_is_409_and_changes_nothing(api, agent, queue):
    ticket = TicketFactory(queue=queue, status="open")
    response = apply(api(agent.user), ticket, macro(set_status="resolved"))
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert "'open' to 'resolved'" in response.json()["detail"]
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_api_apply_someone_elses_personal_macro_is_404(api, agent, worked):
    mine = AgentFactory()
    response = apply(api(agent.user), worked, macro(owner=mine))
    assert response.status_code == 404
    assert not Comment.objects.filter(ticket=worked).exists()


@pytest.mark.parametrize("macro_id", ["nope", "0", str(10**30)])
def test_api_apply_a_missing_macro_is_404(api, agent, worked, macro_id):
    response = api(agent.user).post(f"/api/v1/tickets/{worked.pk}/macros/{macro_id}/apply/")
    assert response.status_code == 404


def test_api_apply_on_an_invisible_ticket_is_404_and_for_a_customer_403(
    api, agent, customer, queue
):
    narrow = AgentFactory(all_queues=False)
    ticket = TicketFactory(customer=customer, queue=queue, status="in_progress")
    m = macro()
    assert apply(api(narrow.user), ticket, m).status_code == 404
    assert apply(api(customer), ticket, m).status_code == 403
    assert apply(api(None), ticket, m).status_code == 401
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_api_list_gives_each_agent_the_macros_they_may_use(api, queue):
    billing = QueueFactory(slug="billing")
    member = AgentFactory(all_queues=False)
    member.queues.add(queue)
    other = AgentFactory()
    macro(name="Global")
    macro(name="General team", queue=queue)
    macro(name="Billing team", queue=billing)
    macro(name="Mine", owner=member)
    macro(name="Theirs", owner=other)
    macro(name="Retired", is_active=False)
    response = api(member.user).get("/api/v1/macros/")
    assert response.status_code == 200
    assert [m["name"] for m in response.json()] == ["General team", "Global", "Mine"]
    scopes = {m["name"]: m["scope"] for m in response.json()}
    assert scopes == {"General team": "team", "Global": "global", "Mine": "personal"}
    found = api(member.user).get("/api/v1/macros/", {"search": "glob"}).json()
    assert [m["name"] for m in found] == ["Global"]


def test_api_list_is_for_agents_and_managers(api, customer, manager):
    macro(name="Global")
    assert api(customer).get("/api/v1/macros/").status_code == 403
    assert api(None).get("/api/v1/macros/").status_code == 401
    assert [m["name"] for m in api(manager).get("/api/v1/macros/").json()] == ["Global"]


def test_api_managers_add_macros_agents_may_not(api, manager, agent, queue):
    QueueFactory(slug="billing")
    data = {
        "name": "Refund sent",
        "body": "Hi {{ customer_name }}, the refund is on its way.",
        "set_status": "resolved",
        "set_priority": "",
        "add_tags": ["refund", " refund "],
        "queue": "general",
        "set_queue": "billing",
    }
    assert api(agent.user).post("/api/v1/macros/", data, format="json").status_code == 403
    response = api(manager).post("/api/v1/macros/", data, format="json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["scope"], made["queue"], made["set_queue"], made["add_tags"]) == (
        "team",
        "general",
        "billing",
        ["refund"],
    )
    assert SavedReply.objects.get(pk=made["id"]).set_status == "resolved"
    # the new team macro is in the list of the queue's agents
    assert "Refund sent" in [m["name"] for m in api(agent.user).get("/api/v1/macros/").json()]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"body": "Hi {{ customer }}"}, "body"),
        ({"set_status": "open"}, "set_status"),
        ({"set_status": "nope"}, "set_status"),
        ({"set_priority": "whenever"}, "set_priority"),
        ({"add_tags": ["x" * 51]}, "add_tags"),
        ({"add_tags": "refund"}, "add_tags"),
        ({"queue": "no-such-queue"}, "queue"),
        ({"name": ""}, "name"),
    ],
)
def test_api_add_bad_input_is_400(api, manager, change, field):
    data = {"name": "A", "body": "Hello", **change}
    response = api(manager).post("/api/v1/macros/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not SavedReply.objects.exists()
