"""Bulk actions: each ticket through the same services and rules as alone, in its own
transaction, a result per ticket; what the caller may not see is "not found"."""

import uuid

import pytest

from agents.models import SavedReply
from agents.tests.factories import AgentFactory
from journey.services import BULK_LIMIT, tickets_bulk_apply
from tickets.models import Comment, Ticket, TicketEvent
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/bulk/"


def bulk(client, ids, action, value):
    return client.post(
        URL, {"ids": [str(i) for i in ids], "action": action, "value": value}, format="json"
    )


def test_resolve_many_one_refuses_and_keeps_its_state(agent, queue):
    a = TicketFactory(queue=queue, status="in_progress")
    b = TicketFactory(queue=queue, status="pending_customer")
    c = TicketFactory(queue=queue, status="open")  # open → resolved is not an agent's move
    results = tickets_bulk_apply(
        user=agent.user, ids=[str(a.pk), str(b.pk), str(c.pk)], action="status", value="resolved"
    )
    assert [(r.id, r.ok) for r in results] == [
        (str(a.pk), True),
        (str(b.pk), True),
        (str(c.pk), False),
    ]
    assert "'open' to 'resolved'" in (results[2].error or "")
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert (statuses[a.pk], statuses[b.pk], statuses[c.pk]) == ("resolved", "resolved", "open")
    assert not TicketEvent.objects.filter(ticket=c).exists()
    assert TicketEvent.objects.filter(
        ticket=a, kind="status_changed", reason="bulk action"
    ).exists()


def test_tickets_out_of_sight_are_not_found(queue):
    narrow = AgentFactory(all_queues=False)
    narrow.queues.add(queue)
    mine = TicketFactory(queue=queue, status="in_progress")
    hidden = TicketFactory(queue=QueueFactory(slug="secret"), status="in_progress")
    ids = [str(mine.pk), str(hidden.pk), str(uuid.uuid4()), "not-a-uuid", str(mine.pk)]
    results = tickets_bulk_apply(user=narrow.user, ids=ids, action="status", value="resolved")
    assert [(r.id, r.ok, r.error) for r in results] == [
        (str(mine.pk), True, None),
        (str(hidden.pk), False, "not found"),
        (ids[2], False, "not found"),
        ("not-a-uuid", False, "not found"),
    ]
    assert Ticket.objects.get(pk=hidden.pk).status == "in_progress"


def test_assign_queue_tags_and_macro(agent, queue, customer):
    other = AgentFactory()
    billing = QueueFactory(slug="billing")
    t1 = TicketFactory(queue=queue, status="in_progress", customer=customer)
    t2 = TicketFactory(queue=queue, status="assigned", customer=customer)
    ids = [str(t1.pk), str(t2.pk)]
    client_results = [
        tickets_bulk_apply(user=agent.user, ids=ids, action="assign", value=str(other.pk)),
        tickets_bulk_apply(user=agent.user, ids=ids, action="queue", value="billing"),
        tickets_bulk_apply(
            user=agent.user, ids=ids, action="tags", value={"add": ["vip", "refund"]}
        ),
        tickets_bulk_apply(user=agent.user, ids=ids, action="tags", value={"remove": ["vip"]}),
    ]
    assert all(r.ok for results in client_results for r in results), client_results
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert (ticket.assigned_agent, ticket.queue, ticket.tags) == (other, billing, ["refund"])
    m = SavedReply.objects.create(name="Thanks", body="Thanks, {{ customer_name }}!")
    results = tickets_bulk_apply(user=agent.user, ids=ids, action="macro", value=m.pk)
    assert all(r.ok for r in results)
    assert Comment.objects.filter(ticket__in=[t1, t2], body__startswith="Thanks, ").count() == 2
    assert SavedReply.objects.get(pk=m.pk).usage_count == 2


# --- the API -----------------------------------------------------------------------------------


def test_api_bulk_answers_a_result_per_ticket(api, agent, queue):
    a = TicketFactory(queue=queue, status="in_progress")
    b = TicketFactory(queue=queue, status="closed")
    response = bulk(api(agent.user), [a.pk, b.pk], "status", "resolved")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0] == {"id": str(a.pk), "ok": True, "error": None}
    assert (results[1]["id"], results[1]["ok"]) == (str(b.pk), False)
    assert "closed" in results[1]["error"]


@pytest.mark.parametrize(
    ("action", "value"),
    [
        ("status", "nope"),
        ("assign", 999999),
        ("assign", "x"),
        ("assign", True),
        ("queue", "no-such"),
        ("queue", 5),
        ("tags", "vip"),
        ("tags", {"add": []}),
        ("tags", {"add": [1]}),
        ("tags", {"add": ["x" * 51]}),
        ("macro", 999999),
        ("macro", None),
        ("delete", 1),
    ],
)
def test_api_bulk_bad_value_is_400_before_any_ticket_changes(api, agent, queue, action, value):
    ticket = TicketFactory(queue=queue, status="in_progress")
    before = Ticket.objects.values().get(pk=ticket.pk)
    response = bulk(api(agent.user), [ticket.pk], action, value)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid"
    assert Ticket.objects.values().get(pk=ticket.pk) == before


def test_api_bulk_limits_ids(api, agent):
    ids = [uuid.uuid4() for _ in range(BULK_LIMIT + 1)]
    response = bulk(api(agent.user), ids, "status", "resolved")
    assert response.status_code == 400
    assert "ids" in response.json()["fields"]
    assert bulk(api(agent.user), [], "status", "resolved").status_code == 400
    assert bulk(api(agent.user), ids[:BULK_LIMIT], "status", "resolved").status_code == 200


def test_api_bulk_is_for_agents_and_managers(api, customer, manager, queue):
    ticket = TicketFactory(queue=queue, customer=customer, status="in_progress")
    assert bulk(api(customer), [ticket.pk], "status", "resolved").status_code == 403
    assert bulk(api(None), [ticket.pk], "status", "resolved").status_code == 401
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert bulk(api(manager), [ticket.pk], "status", "resolved").json()["results"][0]["ok"]


def test_api_bulk_someone_elses_personal_macro_is_400(api, agent, queue):
    ticket = TicketFactory(queue=queue, status="in_progress")
    theirs = SavedReply.objects.create(name="T", body="b", owner=AgentFactory())
    assert bulk(api(agent.user), [ticket.pk], "macro", theirs.pk).status_code == 400
