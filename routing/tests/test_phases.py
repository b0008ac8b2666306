"""Two-phase routing through `ticket_route`: phase-1 rules, the classifier, phase-2 rules over its
answer, urgency phrases."""

import pytest

from routing.models import RoutingRule
from routing.services import ticket_route
from routing.tests.fakes import NO_LLM, FakePredictor, prediction
from routing.tests.policy_support import new_ticket, route
from tickets.tests.factories import CategoryFactory, QueueFactory

pytestmark = pytest.mark.django_db

OLD_APP = {"platform": "ios", "app_version": "2.9.1"}
HEADLINE = "I was charged twice for my subscription"


@pytest.fixture
def legacy(db):
    return QueueFactory(slug="legacy-billing", name="Legacy billing")


@pytest.fixture
def legacy_rule(legacy):
    return RoutingRule.objects.create(
        name="Old apps bill through the legacy provider",
        order=10,
        conditions="app_version < 3.0 and category = billing",
        set_queue=legacy,
        add_tags=["legacy-app"],
        stop=True,
    )


def billing_model(confidence=0.9):
    return FakePredictor(
        prediction(queue=("billing", confidence), category=("billing", confidence))
    )


def test_phase_two_rule_sees_the_model_s_category(customer, billing, legacy, legacy_rule):
    CategoryFactory(slug="billing", name="Billing", queue=billing)
    ticket = new_ticket(customer, subject=HEADLINE, body="", context=OLD_APP)
    log = route(ticket, billing_model())
    assert ticket.queue == legacy
    assert ticket.category.slug == "billing"  # the model's, confident enough
    assert ticket.confidence == 1.0
    assert ticket.tags == ["legacy-app"]
    assert ticket.routing_reason.startswith(
        "rule 'Old apps bill through the legacy provider' matched"
    )
    assert log.source == "rules" and not log.triaged
    assert log.rules_fired == [{"id": legacy_rule.pk, "name": legacy_rule.name}]
    assert log.input_snapshot["phase2_facts"] == {
        "queue": "billing",
        "category": "billing",
        "priority": "normal",
        "language": "",
        "confidence": pytest.approx(0.9),
    }


def test_phase_two_rule_leaves_new_apps_to_the_model(customer, billing, legacy, legacy_rule):
    ticket = new_ticket(customer, subject=HEADLINE, body="", context={"app_version": "3.1.0"})
    route(ticket, billing_model())
    assert ticket.queue == billing
    assert "matched" not in ticket.routing_reason


def test_phase_two_rule_decides_below_the_triage_threshold(customer, billing, legacy, legacy_rule):
    ticket = new_ticket(customer, subject=HEADLINE, body="", context=OLD_APP)
    log = route(ticket, billing_model(0.41))
    assert ticket.queue == legacy and not log.triaged
    assert "triage" not in ticket.routing_reason


def test_phase_two_rule_can_gate_on_confidence(customer, billing, legacy):
    RoutingRule.objects.create(
        name="Sure billing",
        order=1,
        conditions="category = billing and confidence >= 0.5",
        set_queue=legacy,
    )
    unsure = new_ticket(customer)
    route(unsure, billing_model(0.41))
    assert unsure.queue.is_triage
    sure = new_ticket(customer)
    route(sure, billing_model(0.55))
    assert sure.queue == legacy
    assert sure.routing_reason.startswith("rule 'Sure billing' matched")


def test_phase_one_stop_skips_phase_two(customer, billing, legacy, legacy_rule):
    RoutingRule.objects.create(
        name="iOS first", order=50, conditions="platform = ios", set_priority="high", stop=True
    )
    ticket = new_ticket(customer, context=OLD_APP)
    log = route(ticket, billing_model())
    assert ticket.queue == billing  # the model's: the phase-2 rule never ran
    assert ticket.priority == "high"
    assert [rule["name"] for rule in log.rules_fired] == ["iOS first"]
    assert "phase2_facts" not in log.input_snapshot


def test_phase_one_rules_run_first_whatever_their_order(customer, billing, legacy, legacy_rule):
    # order 10 (phase 2) and order 20 (phase 1): the phase-1 rule still runs first and its
    # category is what the phase-2 rule sees, over the model's
    RoutingRule.objects.create(
        name="Invoices are billing",
        order=20,
        conditions="text contains invoice",
        set_category=CategoryFactory(slug="billing", name="Billing"),
    )
    ticket = new_ticket(customer, subject="Invoice", body="", context=OLD_APP)
    route(ticket, FakePredictor(prediction(queue=("tech", 0.9), category=("tech", 0.9))))
    assert ticket.queue == legacy and ticket.category.slug == "billing"
    assert ticket.routing_reason.startswith(
        "rules 'Invoices are billing', 'Old apps bill through the legacy provider' matched"
    )


def test_without_a_model_phase_two_sees_no_prediction(customer, billing, legacy, legacy_rule):
    RoutingRule.objects.create(
        name="Unsure", order=1, conditions="confidence < 0.5", add_tags=["x"]
    )
    ticket = new_ticket(customer, context=OLD_APP)
    route(ticket, FakePredictor(None))
    assert ticket.queue != legacy and ticket.tags == []  # a missing confidence compares false


def test_phase_two_asks_the_model_when_phase_one_decided_the_rest(customer, billing, tech):
    billing_cat = CategoryFactory(slug="billing")
    RoutingRule.objects.create(
        name="All",
        order=1,
        conditions="always",
        set_queue=billing,
        set_category=billing_cat,
        set_priority="low",
    )
    RoutingRule.objects.create(
        name="Unsure", order=2, conditions="confidence < 0.5", add_tags=["unsure"]
    )
    predictor = FakePredictor(prediction(queue=("tech", 0.3)))
    ticket = new_ticket(customer, language="en")
    route(ticket, predictor)
    assert len(predictor.calls) == 1
    assert ticket.queue == billing and ticket.tags == ["unsure"]


def test_phase_two_on_fields_phase_one_set_needs_no_model(customer, billing):
    billing_cat = CategoryFactory(slug="billing")
    RoutingRule.objects.create(
        name="All",
        order=1,
        conditions="always",
        set_queue=billing,
        set_category=billing_cat,
        set_priority="low",
    )
    RoutingRule.objects.create(
        name="Billing tag", order=2, conditions="category = billing", add_tags=["b"]
    )
    predictor = FakePredictor(prediction(category=("tech", 0.99)))
    ticket = new_ticket(customer, language="en")
    route(ticket, predictor)
    assert predictor.calls == []
    assert ticket.tags == ["b"] and ticket.category == billing_cat


def test_phase_two_sees_the_explicit_priority_and_urgency_comes_last(customer, billing, tech):
    RoutingRule.objects.create(
        name="Low to tech", order=1, conditions="priority = low", set_queue=tech
    )
    ticket = new_ticket(customer, subject="Charged twice", priority="low")
    model = FakePredictor(prediction(queue=("billing", 0.9), priority=("high", 0.9)))
    route(ticket, model, explicit_priority=True)
    assert ticket.queue == tech and ticket.priority == "low"


def test_phase_two_sees_the_model_s_language_unless_one_is_given(customer, billing, tech):
    RoutingRule.objects.create(name="German", order=1, conditions="language = de", set_queue=tech)
    model = FakePredictor(prediction(queue=("billing", 0.9), language="de"))
    guessed = new_ticket(customer)
    route(guessed, model)
    assert guessed.queue == tech and guessed.language == "de"
    given = new_ticket(customer, language="en")
    route(given, model)
    assert given.queue == billing


def test_two_phases_cost_no_extra_query(customer, billing, legacy, django_assert_max_num_queries):
    for i in range(10):
        RoutingRule.objects.create(
            name=f"P1-{i}", order=i, conditions=f"subject contains w{i}", set_queue=billing
        )
        RoutingRule.objects.create(
            name=f"P2-{i}",
            order=i,
            conditions=f"category = c{i} and confidence > 0.{i}",
            set_queue=legacy,
        )
    ticket = new_ticket(customer)
    # rules, urgency phrases, queues; then the ticket update, the event and the log
    with django_assert_max_num_queries(6):
        ticket_route(
            ticket=ticket, predictor=FakePredictor(prediction(queue=("billing", 0.9))), llm=NO_LLM
        )
    ticket.refresh_from_db()
    assert ticket.queue == billing


def test_rules_read_the_customers_account_and_claude_is_told_it(customer):
    from routing.tests.fakes import FakeLLM
    from tickets.services import customer_account_update

    vip = QueueFactory(slug="vip", name="VIP")
    RoutingRule.objects.create(
        name="Big accounts with a failed payment",
        order=5,
        conditions="plan = enterprise and mrr >= 1000 and billing_events contains payment_failed",
        set_queue=vip,
        stop=True,
    )
    customer_account_update(
        email=customer.email,
        plan="Enterprise",
        mrr=2500,
        billing_events=[{"type": "payment_failed"}, {"type": "invoice_sent"}],
    )
    ticket = new_ticket(customer)
    route(ticket, billing_model())
    ticket.refresh_from_db()
    assert ticket.queue == vip
    assert "rule 'Big accounts with a failed payment' matched" in ticket.routing_reason

    smaller = new_ticket(customer, subject="Where is my invoice?")
    customer_account_update(email=customer.email, plan="Enterprise", mrr=900)
    claude = FakeLLM(prediction(queue=("billing", 0.95), category=("billing", 0.95)))
    route(smaller, billing_model(0.3), llm=claude)
    smaller.refresh_from_db()
    assert smaller.queue != vip  # 900 a month: the rule does not fire
    assert claude.calls[0]["context"]["account"] == {
        "plan": "Enterprise",
        "tier": "",
        "mrr": 900.0,
        "billing_events": [],
    }
