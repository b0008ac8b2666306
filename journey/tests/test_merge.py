"""Merging a duplicate (journey/services/merge.py): what moves, the lifecycle, the events on both
tickets, the customer told once, the rules that refuse a merge and change nothing."""

import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from agents.models import AgentLoad, Notification
from agents.tests.factories import AgentFactory
from agents.workload import agent_load_refresh
from core.exceptions import NotAllowed, TransitionError
from journey.services import comment_add, ticket_merge
from tickets.models import Attachment, Comment, MailMessage, Status, Ticket, TicketEvent
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(customer, queue):
    target = TicketFactory(
        customer=customer, queue=queue, subject="App crashes", status=Status.IN_PROGRESS
    )
    source = TicketFactory(
        customer=customer, queue=queue, subject="Crash again", body="It crashed on start."
    )
    return source, target


def _file(ticket, name, comment=None):
    return Attachment.objects.create(
        ticket=ticket,
        comment=comment,
        file=ContentFile(b"PNG", name=name),
        name=name,
        size=3,
        content_type="image/png",
    )


def test_the_conversation_files_and_thread_move_and_the_source_closes(pair, agent, customer):
    source, target = pair
    reply = comment_add(ticket=source, user=customer, body="Still crashing.")
    note = comment_add(ticket=source, user=agent.user, body="Looks like #123", internal=True)
    shot = _file(source, "shot.png", comment=reply)
    first = _file(source, "first.png")  # sent with the ticket itself
    MailMessage.objects.create(ticket=source, direction="in", message_id="<a@x>", original="raw")

    result = ticket_merge(source=source, target=target, user=agent.user)

    source.refresh_from_db()
    assert (source.status, source.merged_into_id) == (Status.CLOSED, target.pk)
    assert source.closed_at is not None
    assert set(target.comments.values_list("pk", flat=True)) >= {reply.pk, note.pk}
    assert Comment.objects.get(pk=note.pk).internal  # a note stays a note
    assert not source.comments.exists() and not source.attachments.exists()
    assert set(target.attachments.all()) == {shot, first}
    # the source's own first message (and its file) is on the target, in a system comment
    held = Comment.objects.get(pk=result.note.pk)
    assert (held.author_kind, held.internal) == ("system", False)
    assert "Crash again" in held.body and "It crashed on start." in held.body
    assert Attachment.objects.get(pk=first.pk).comment_id == held.pk
    assert MailMessage.objects.get(message_id="<a@x>").ticket_id == target.pk
    assert Ticket.objects.get(pk=target.pk).status == Status.IN_PROGRESS


def test_an_event_on_both_tickets(pair, agent):
    source, target = pair
    ticket_merge(source=source, target=target, user=agent.user)
    merged = TicketEvent.objects.get(ticket=source, kind="merged")
    assert (merged.after, merged.data["into"], merged.actor) == (
        f"#{target.ref}",
        str(target.pk),
        agent.user,
    )
    closed = TicketEvent.objects.get(ticket=source, kind="status_changed")
    assert (closed.after, closed.reason) == ("closed", f"merged into #{target.ref}")
    merged_in = TicketEvent.objects.get(ticket=target, kind="merged_in")
    assert merged_in.after == f"#{source.ref}" and merged_in.data["from"] == str(source.pk)


def test_the_customer_is_told_once(pair, agent):
    source, target = pair
    ticket_merge(source=source, target=target, user=agent.user)
    [told] = Notification.objects.all()
    assert (told.ticket_id, told.recipient) == (target.pk, "alice@example.com")
    assert "was combined with this one" in told.payload["body"]
    public = target.comments.filter(author_kind="system", internal=False)
    assert public.count() == 1
    with pytest.raises(TransitionError):  # a second try is refused: nobody hears twice
        ticket_merge(source=source, target=target, user=agent.user)
    assert Notification.objects.count() == 1


def test_an_assigned_source_frees_its_agents_capacity(pair, agent):
    source, target = pair
    Ticket.objects.filter(pk=source.pk).update(assigned_agent=agent, status=Status.ASSIGNED)
    source.refresh_from_db()
    assert agent_load_refresh(agent_ids=[agent.pk]) == {agent.pk: 1}
    ticket_merge(source=source, target=target, user=agent.user)
    assert AgentLoad.objects.get(agent=agent).open_tickets == 0


@pytest.mark.parametrize(
    ("source_status", "target_status", "message"),
    [
        (Status.OPEN, Status.CLOSED, "merge into an open ticket"),
        (Status.OPEN, Status.RESOLVED, "merge into an open ticket"),
        (Status.CLOSED, Status.OPEN, "cannot be merged"),
    ],
)
def test_closed_tickets_neither_merge_nor_take_one_in(
    pair, agent, source_status, target_status, message
):
    source, target = pair
    Ticket.objects.filter(pk=source.pk).update(status=source_status)
    Ticket.objects.filter(pk=target.pk).update(status=target_status)
    source.refresh_from_db()
    target.refresh_from_db()
    with pytest.raises(TransitionError, match=message):
        ticket_merge(source=source, target=target, user=agent.user)
    assert not TicketEvent.objects.exists()


def test_into_itself_or_into_a_merged_ticket_is_refused(pair, agent, customer):
    source, target = pair
    with pytest.raises(TransitionError, match="into itself"):
        ticket_merge(source=source, target=source, user=agent.user)
    ticket_merge(source=source, target=target, user=agent.user)
    third = TicketFactory(customer=customer, queue=target.queue)
    source.refresh_from_db()
    with pytest.raises(TransitionError):
        ticket_merge(source=third, target=source, user=agent.user)
    with pytest.raises(TransitionError, match="merged already"):
        ticket_merge(source=source, target=third, user=agent.user)


def test_tickets_without_an_account_match_by_email(agent, queue):
    source = TicketFactory(customer=None, customer_email="Bob@Example.com", queue=queue)
    target = TicketFactory(customer=None, customer_email="bob@example.com", queue=queue)
    ticket_merge(source=source, target=target, user=agent.user)
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


def test_an_agent_cannot_merge_two_customers_tickets(pair, agent, other_customer):
    source, _ = pair
    theirs = TicketFactory(customer=other_customer, queue=source.queue)
    with pytest.raises(NotAllowed, match="manager"):
        ticket_merge(source=source, target=theirs, user=agent.user)
    assert Ticket.objects.get(pk=source.pk).status == Status.OPEN
    assert not theirs.comments.exists()


def test_a_manager_merges_across_customers_without_showing_one_to_the_other(
    pair, manager, other_customer, customer
):
    source, _ = pair
    theirs = TicketFactory(customer=other_customer, queue=source.queue, status=Status.OPEN)
    said = comment_add(ticket=source, user=customer, body="My card number is ...")

    ticket_merge(source=source, target=theirs, user=manager)

    assert Comment.objects.get(pk=said.pk).internal  # the other customer never reads it
    assert not theirs.comments.filter(internal=False).exists()
    [told] = Notification.objects.all()  # the source's customer, on their own thread
    assert (told.ticket_id, told.recipient) == (source.pk, "alice@example.com")


def test_customers_cannot_merge(pair, customer):
    source, target = pair
    with pytest.raises(NotAllowed):
        ticket_merge(source=source, target=target, user=customer)


def test_merging_a_resolved_duplicate_is_allowed(pair, agent):
    source, target = pair
    Ticket.objects.filter(pk=source.pk).update(status=Status.RESOLVED)
    source.refresh_from_db()
    ticket_merge(source=source, target=target, user=agent.user)
    assert Ticket.objects.get(pk=source.pk).status == Status.CLOSED


def test_queue_limited_agents_merge_what_they_see(customer):
    queue = QueueFactory(slug="limited")
    agent = AgentFactory(all_queues=False, user=UserFactory(username="lim@example.com"))
    agent.queues.add(queue)
    source = TicketFactory(customer=customer, queue=queue)
    target = TicketFactory(customer=customer, queue=queue)
    ticket_merge(source=source, target=target, user=agent.user)
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


def _race(source, target, user, barrier, outcomes) -> None:
    try:
        barrier.wait()
        ticket_merge(source=source, target=target, user=user)
        outcomes.append("merged")
    except TransitionError:
        outcomes.append("refused")
    except BaseException as exc:  # noqa: BLE001 - reported below
        outcomes.append(repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_one_pair_either_way_round_at_once_one_wins_no_deadlock():
    customer = UserFactory(username="racer@example.com")
    agent = AgentFactory()
    queue = QueueFactory(slug="race")
    for _ in range(5):
        first = TicketFactory(customer=customer, queue=queue)
        second = TicketFactory(customer=customer, queue=queue)
        outcomes: list[str] = []
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=_race, args=(a, b, agent.user, barrier, outcomes))
            for a, b in ((first, second), (second, first))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["merged", "refused"]
        merged = Ticket.objects.filter(pk__in=[first.pk, second.pk], merged_into__isnull=False)
        assert merged.count() == 1
