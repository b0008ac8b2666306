"""Corrections and reassignments as feedback: the accuracy report and the training labels."""

import pytest

from journey.services import ticket_correct, ticket_reassign
from routing.selectors import accuracy_report, training_rows
from routing.services import ticket_route
from routing.tests.fakes import NO_LLM, FakePredictor, prediction
from tickets.models import Status, Ticket
from tickets.services import ticket_store
from tickets.tests.factories import CategoryFactory, QueueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queues(db):
    return {slug: QueueFactory(slug=slug, name=slug.title()) for slug in ("billing", "tech")}


def routed(customer, subject, *, queue="billing", category="", confidence=0.9, version="7"):
    ticket = ticket_store(
        subject=subject, body="body text", channel="api", customer=customer
    ).ticket
    fields = {"queue": (queue, confidence)}
    if category:
        fields["category"] = (category, confidence)
    ticket_route(
        ticket=ticket, predictor=FakePredictor(prediction(version=version, **fields)), llm=NO_LLM
    )
    ticket.refresh_from_db()
    return ticket


def test_corrections_and_reassignments_lower_accuracy(customer, agent, queues):
    CategoryFactory(slug="payments")
    kept = routed(customer, "one", category="payments")
    corrected = routed(customer, "two", category="payments")
    moved = routed(customer, "three")
    other_version = routed(customer, "four", queue="tech", version="8")
    ticket_correct(ticket=corrected, user=agent.user, category=CategoryFactory(slug="refunds"))
    ticket_reassign(ticket=moved, user=agent.user, queue=queues["tech"], reason="wrong team")

    report = accuracy_report()
    assert report["overall"]["tickets"] == 4
    assert report["overall"]["queue_stood"] == 3
    assert report["overall"]["both_stood"] == 2
    by_model = {row["model_version"]: row for row in report["by_model"]}
    assert by_model["7"]["tickets"] == 3
    assert by_model["7"]["queue_accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert by_model["7"]["category_accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert by_model["8"]["both_accuracy"] == 1.0
    by_queue = {row["queue"]: row for row in report["by_queue"]}
    assert by_queue["billing"]["tickets"] == 3 and by_queue["billing"]["queue_stood"] == 2
    assert by_queue["tech"]["queue_stood"] == 1
    assert kept.queue.slug == "billing" and other_version.queue.slug == "tech"


def test_only_the_first_decision_counts(customer, agent, queues):
    ticket = routed(customer, "one")
    ticket_route(
        ticket=ticket, predictor=FakePredictor(prediction(queue=("tech", 0.9))), llm=NO_LLM
    )  # a later re-route to tech
    report = accuracy_report()
    assert report["overall"]["tickets"] == 1
    assert report["overall"]["queue_stood"] == 0  # the first decision (billing) did not stand


def test_triaged_tickets_are_counted(customer, queues):
    routed(customer, "unsure", confidence=0.3)
    overall = accuracy_report()["overall"]
    assert overall["triaged"] == 1 and overall["queue_stood"] == 1


def test_empty_report():
    report = accuracy_report()
    assert report["overall"]["tickets"] == 0 and report["overall"]["queue_accuracy"] is None
    assert report["by_model"] == [] and report["by_queue"] == []


def test_training_rows_follow_corrections(customer, agent, queues):
    payments = CategoryFactory(slug="payments")
    ticket = routed(customer, "Charged twice", category="payments")
    assert list(training_rows()) == []  # open and untouched: the model's own guess, not a label

    refunds = CategoryFactory(slug="refunds")
    ticket_correct(ticket=ticket, user=agent.user, category=refunds, queue=queues["tech"])
    assert list(training_rows()) == [("Charged twice\nbody text", "tech", "refunds", "normal", "")]
    assert payments.slug not in str(list(training_rows()))


def test_training_rows_include_resolved_history_and_hide_triage(customer, queues):
    triage = QueueFactory(slug="triage", is_triage=True)
    sub_parent = CategoryFactory(slug="billing-cat")
    sub = CategoryFactory(slug="refund", parent=sub_parent, queue=queues["billing"])
    Ticket.objects.create(
        subject="old",
        body="resolved",
        status=Status.RESOLVED,
        queue=queues["billing"],
        category=sub_parent,
        subcategory=sub,
        priority="high",
        language="de",
    )
    Ticket.objects.create(subject="stuck", body="in triage", status=Status.CLOSED, queue=triage)
    Ticket.objects.create(subject="open", body="not yet", queue=queues["tech"])
    rows = list(training_rows())
    assert rows == [
        ("old\nresolved", "billing", "billing-cat", "high", "de"),
        ("stuck\nin triage", None, None, "normal", ""),
    ]
    assert list(training_rows(with_subcategory=True))[0][-1] == "refund"
    assert len(list(training_rows(limit=1))) == 1


def test_reassignment_makes_an_open_ticket_a_training_row(customer, agent, queues):
    ticket = routed(customer, "wrong team")
    ticket_reassign(ticket=ticket, user=agent.user, queue=queues["tech"], reason="network issue")
    assert [row[1] for row in training_rows()] == ["tech"]
