"""Tags by hand (journey/services/tags.py, routing/tags.py): normalised, an event per change, a
staff-only live event, suggestions counted over what the agent may see."""

import pytest

from agents.tests.factories import AgentFactory
from core.exceptions import ApplicationError, NotAllowed
from journey.services import ticket_tags_change
from routing.tags import tag_counts, tag_normalise
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "live.realtime.publish",
        lambda event, ticket, payload=None, **kw: sent.append((event, payload, kw)),
    )
    return sent


@pytest.mark.parametrize(
    ("raw", "tag"),
    [(" Refund ", "refund"), ("VIP", "vip"), ("late  delivery", "late-delivery"), ("é-2", "é-2")],
)
def test_tags_are_trimmed_lowercased_and_spaced_with_dashes(raw, tag):
    assert tag_normalise(raw) == tag


@pytest.mark.parametrize("raw", ["", "   ", "x" * 51, "<script>", "-lead", "a b!", 3, None])
def test_junk_is_not_a_tag(raw):
    with pytest.raises(ValueError):
        tag_normalise(raw)


def test_adding_and_removing_tags_is_one_event_and_a_staff_only_live_event(
    ticket, agent, published
):
    ticket.tags = ["billing"]
    ticket.save()

    ticket_tags_change(ticket=ticket, user=agent.user, add=["Refund", "vip", "refund"], remove=[])
    ticket_tags_change(ticket=ticket, user=agent.user, add=[], remove=["BILLING"])

    assert Ticket.objects.get(pk=ticket.pk).tags == ["refund", "vip"]
    first, second = TicketEvent.objects.filter(ticket=ticket, kind="tags_changed")
    assert (first.before, first.after, first.data["added"]) == (
        ["billing"],
        ["billing", "refund", "vip"],
        ["refund", "vip"],
    )
    assert (second.after, second.data["removed"], second.actor) == (
        ["refund", "vip"],
        ["billing"],
        agent.user,
    )
    live = [(p, kw) for event, p, kw in published if event == "ticket.tags_changed"]
    assert [p["tags"] for p, _ in live] == [["billing", "refund", "vip"], ["refund", "vip"]]
    assert all(kw["internal"] for _, kw in live)  # customers never hear of tags


def test_a_change_that_changes_nothing_writes_nothing(ticket, agent, published):
    ticket.tags = ["vip"]
    ticket.save()
    ticket_tags_change(ticket=ticket, user=agent.user, add=["VIP"], remove=["absent"])
    assert not TicketEvent.objects.filter(kind="tags_changed").exists()
    assert not published


def test_tags_a_rule_wrote_in_another_case_are_found_by_their_normal_form(ticket, agent):
    ticket.tags = ["VIP", "Late delivery"]
    ticket.save()
    ticket_tags_change(ticket=ticket, user=agent.user, add=["vip"], remove=["late delivery"])
    assert Ticket.objects.get(pk=ticket.pk).tags == ["VIP"]


def test_one_bad_tag_refuses_the_whole_change(ticket, agent):
    with pytest.raises(ApplicationError) as caught:
        ticket_tags_change(ticket=ticket, user=agent.user, add=["good", "bad tag!"])
    assert caught.value.status_code == 400 and "add" in caught.value.fields
    assert Ticket.objects.get(pk=ticket.pk).tags == []


def test_a_tag_added_and_removed_at_once_is_refused(ticket, agent):
    with pytest.raises(ApplicationError, match="not both"):
        ticket_tags_change(ticket=ticket, user=agent.user, add=["vip"], remove=["VIP"])


def test_a_ticket_holds_at_most_fifty_tags(ticket, agent):
    for start in (0, 20, 40):
        tags = [f"t{n}" for n in range(start, min(start + 20, 50))]
        ticket_tags_change(ticket=ticket, user=agent.user, add=tags)
    with pytest.raises(ApplicationError, match="at most 50"):
        ticket_tags_change(ticket=ticket, user=agent.user, add=["one-more"])


def test_customers_cannot_tag(ticket, customer):
    with pytest.raises(NotAllowed):
        ticket_tags_change(ticket=ticket, user=customer, add=["vip"])


def test_suggestions_count_the_tags_an_agent_may_see(manager):
    mine, theirs = QueueFactory(slug="mine"), QueueFactory(slug="theirs")
    TicketFactory(queue=mine, tags=["refund", "vip"])
    TicketFactory(queue=mine, tags=["Refund"])
    TicketFactory(queue=theirs, tags=["secret-project", "refund"])
    TicketFactory(queue=mine, tags=[])
    agent = AgentFactory(all_queues=False)
    agent.queues.add(mine)

    assert tag_counts(user=agent.user) == [("refund", 2), ("vip", 1)]
    assert tag_counts(user=manager) == [("refund", 3), ("secret-project", 1), ("vip", 1)]
    assert tag_counts(user=manager, prefix="S") == [("secret-project", 1)]
    assert tag_counts(user=manager, prefix="%") == []


# What macros and bulk actions rely on (they write through the same service).


def test_add_and_remove_with_one_event_and_its_reason(agent, queue):
    ticket = TicketFactory(queue=queue, tags=["vip", "mobile"])
    ticket_tags_change(
        ticket=ticket, user=agent.user, add=[" refund ", "vip", ""], remove=["mobile"], reason="r"
    )
    assert Ticket.objects.get(pk=ticket.pk).tags == ["vip", "refund"]
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.field, event.before, event.after, event.actor, event.reason) == (
        "tags_changed",
        "tags",
        ["vip", "mobile"],
        ["vip", "refund"],
        agent.user,
        "r",
    )


@pytest.mark.parametrize("add", [["x" * 51], [f"t{n}" for n in range(21)]])
def test_too_long_or_too_many_at_once_is_refused(agent, queue, add):
    ticket = TicketFactory(queue=queue)
    with pytest.raises(ApplicationError):
        ticket_tags_change(ticket=ticket, user=agent.user, add=add)
    assert Ticket.objects.get(pk=ticket.pk).tags == []
