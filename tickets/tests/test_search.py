"""Full-text search: what finds a ticket, for whom, in which order, and its snippets.

Runs on PostgreSQL (the test default) and on SQLite (`DATABASE_URL=sqlite:///...`), where search
falls back to icontains; the tests that need PostgreSQL's stemming and ranking say so."""

import pytest
from django.db import connection

from agents.tests.factories import AgentFactory
from journey.services import comment_add, ticket_submit
from tickets.models import Comment, Ticket
from tickets.search import MARK_START, MARK_STOP, snippet_html, tickets_with_snippets
from tickets.selectors import ticket_list
from tickets.services.store import ticket_store_pending
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming and ranking need PostgreSQL"
)


def found(user, words: str) -> list[str]:
    return [t.subject for t in ticket_list(user=user, filters={"search": words})]


def test_finds_words_in_subject_body_and_public_comments(manager, agent):
    TicketFactory(subject="Printer jammed", body="Paper everywhere.")
    TicketFactory(subject="Login", body="The invoice page is blank.")
    commented = TicketFactory(subject="Question", body="Hello.")
    comment_add(ticket=commented, user=agent.user, body="Your voucher code is XYZ.")

    assert found(manager, "printer") == ["Printer jammed"]
    assert found(manager, "invoice") == ["Login"]
    assert found(manager, "voucher") == ["Question"]
    assert found(manager, "nothing-like-this") == []


def test_internal_notes_never_make_a_ticket_findable(manager, agent, customer, ticket):
    comment_add(ticket=ticket, user=agent.user, body="Customer seems angry, zebra", internal=True)
    assert found(customer, "zebra") == []
    assert found(manager, "zebra") == []


def test_search_stays_within_what_the_caller_may_see(customer, other_customer, queue):
    TicketFactory(customer=customer, subject="My parcel is late")
    TicketFactory(customer=other_customer, subject="Their parcel is late")
    other_queue = QueueFactory(slug="elsewhere")
    limited = AgentFactory(all_queues=False)
    limited.queues.add(queue)
    TicketFactory(queue=queue, subject="Parcel in my queue")
    TicketFactory(queue=other_queue, subject="Parcel in another queue")

    assert found(customer, "parcel") == ["My parcel is late"]
    assert found(limited.user, "parcel") == ["Parcel in my queue"]
    assert found(None, "parcel") == []


@postgres_only
def test_best_match_first_subject_over_body_over_comments(manager, agent):
    in_comment = TicketFactory(subject="Hello", body="Some text.")
    comment_add(ticket=in_comment, user=agent.user, body="About the refund: done.")
    TicketFactory(subject="Other", body="I want a refund for my order.")
    TicketFactory(subject="Refund please", body="As said.")
    assert found(manager, "refund") == ["Refund please", "Other", "Hello"]


@postgres_only
def test_each_ticket_is_stemmed_in_its_own_language(manager):
    TicketFactory(subject="Rechnungen", body="Die Rechnungen sind falsch.", language="de")
    TicketFactory(subject="Refunds", body="Two refunds are missing.", language="en")
    TicketFactory(subject="Zzz", body="plain words", language="")
    assert found(manager, "Rechnung") == ["Rechnungen"]
    assert found(manager, "refund") == ["Refunds"]
    assert found(manager, "word") == []  # 'simple' does not stem
    assert found(manager, "words") == ["Zzz"]
    assert found(manager, '"two refunds"') == ["Refunds"]  # a phrase
    assert found(manager, "refund -missing") == []


@postgres_only
def test_the_index_follows_every_write(manager, agent, customer):
    ticket = TicketFactory(subject="Alpha", body="First words")
    stale = Ticket.objects.get(pk=ticket.pk)  # read before the comment
    comment_add(ticket=ticket, user=agent.user, body="bravo from the agent")
    stale.priority = "high"
    stale.save()  # saves the old vector back: the database keeps the current one
    assert found(manager, "bravo") == ["Alpha"]

    ticket.refresh_from_db()
    ticket.subject = "Charlie"
    ticket.save(update_fields=["subject"])
    assert found(manager, "charlie") == ["Charlie"] and found(manager, "bravo") == ["Charlie"]

    other = TicketFactory(subject="Delta", body="")
    Comment.objects.filter(ticket=ticket).update(ticket=other)  # a merge moves comments
    assert found(manager, "bravo") == ["Delta"]

    Comment.objects.filter(ticket=other).delete()
    assert found(manager, "bravo") == []

    stored = ticket_store_pending(
        subject="Echo",
        body="from the webhook fast path",
        channel="webhook",
        customer_email="x@example.com",
        external_id="ext-1",
    )
    assert stored.created and found(manager, "webhook fast path") == ["Echo"]

    submitted = ticket_submit(
        subject="Foxtrot", body="by the API", channel="api", customer=customer
    )
    assert found(customer, "foxtrot") == [submitted.ticket.subject]


def test_snippets_mark_the_match_and_escape_the_rest(manager):
    evil = TicketFactory(
        subject="<b>Invoice</b> question",
        body=f"<script>alert(1)</script> my invoice {MARK_STOP}is{MARK_START} wrong",
    )
    [ticket] = tickets_with_snippets(
        list(ticket_list(user=manager, filters={"search": "invoice"})), text="invoice"
    )
    assert ticket.pk == evil.pk
    subject, snippet = snippet_html(ticket.search_subject), snippet_html(ticket.search_snippet)
    assert "<mark>Invoice</mark>" in subject and "&lt;b&gt;" in subject
    assert "<mark>invoice</mark>" in snippet
    assert "<script>" not in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>")


def test_snippet_html_is_balanced_and_escaped():
    assert snippet_html(f"a {MARK_START}<i>{MARK_STOP} b") == "a <mark>&lt;i&gt;</mark> b"
    assert snippet_html(f"{MARK_STOP}x{MARK_START}y{MARK_START}") == "x<mark>y</mark>"
    assert snippet_html("") == ""


def test_search_and_filters_combine(manager):
    queue = QueueFactory(slug="billing")
    TicketFactory(queue=queue, subject="Refund wanted", status="open")
    TicketFactory(subject="Refund elsewhere", status="open")
    hits = ticket_list(user=manager, filters={"search": "refund", "queue": "billing"})
    assert [t.subject for t in hits] == ["Refund wanted"]
