"""The decision policy, continued: when Claude is asked, bad labels, edited rules, the mobile API."""

import pytest

from routing.models import RoutingRule, UrgencyPhrase
from routing.tests.fakes import FakeLLM, FakePredictor, prediction
from routing.tests.policy_support import new_ticket, route
from tickets.models import Ticket
from tickets.tests.factories import CategoryFactory, QueueFactory

pytestmark = pytest.mark.django_db


def test_rules_decide_everything_so_claude_is_not_asked(customer, billing):
    category = CategoryFactory(slug="payments")
    RoutingRule.objects.create(
        name="All",
        order=1,
        conditions="always",
        set_queue=billing,
        set_category=category,
        set_priority="high",
    )
    llm = FakeLLM(prediction(source="claude", queue=("tech", 0.99)))
    local = FakePredictor(prediction(queue=("tech", 0.99), language="es"))
    ticket = new_ticket(customer)
    log = route(ticket, local, llm=llm)
    assert (ticket.queue, ticket.category, ticket.priority) == (billing, category, "high")
    assert llm.calls == []
    assert ticket.language == "es"  # the local model still detects the language
    assert log.source == "rules"


def test_never_policy_keeps_claude_out(customer, billing, tech, settings):
    settings.HELPDESK_LLM_POLICY = "never"
    llm = FakeLLM(prediction(source="claude", queue=("billing", 0.99)))
    ticket = new_ticket(customer)
    route(ticket, FakePredictor(prediction(queue=("tech", 0.9))), llm=llm)
    assert ticket.queue == tech and llm.calls == []


def test_llm_bug_is_a_fallback_too(customer, tech, settings):
    settings.HELPDESK_LLM_POLICY = "always"

    class BrokenLLM(FakeLLM):
        def classify(self, **kwargs):
            raise KeyError("content")

    ticket = new_ticket(customer)
    log = route(ticket, FakePredictor(prediction(queue=("tech", 0.9))), llm=BrokenLLM())
    assert ticket.queue == tech and log.source == "fallback"


def test_unknown_model_label_is_not_stored(customer):
    ticket = new_ticket(customer)
    route(ticket, FakePredictor(prediction(queue=("deleted-queue", 0.95))))
    assert ticket.queue.is_triage
    assert "the model named no known queue" in ticket.routing_reason


def test_rule_pointing_at_an_inactive_queue_is_ignored(customer, billing, tech):
    tech.is_active = False
    tech.save()
    RoutingRule.objects.create(name="Old", order=1, conditions="always", set_queue=tech)
    ticket = new_ticket(customer)
    route(ticket, FakePredictor(prediction(queue=("billing", 0.9))))
    assert ticket.queue == billing


def test_unsure_category_is_left_empty(customer, billing):
    CategoryFactory(slug="payments")
    ticket = new_ticket(customer)
    route(ticket, FakePredictor(prediction(queue=("billing", 0.9), category=("payments", 0.3))))
    assert ticket.queue == billing and ticket.category is None


def test_mobile_api_ticket_is_routed_and_explained(api, customer):
    legacy = QueueFactory(slug="legacy-billing", name="Legacy billing")
    billing_cat = CategoryFactory(slug="billing", name="Billing")
    RoutingRule.objects.create(
        name="Invoices", order=1, conditions="text contains invoice", set_category=billing_cat
    )
    RoutingRule.objects.create(
        name="Legacy billing",
        order=2,
        conditions="app_version < 3.0 and category = billing",
        set_queue=legacy,
        add_tags=["legacy"],
    )
    UrgencyPhrase.objects.create(phrase="charged twice")
    response = api(customer).post(
        "/api/v1/tickets/",
        {
            "subject": "Invoice problem",
            "body": "I was charged twice",
            "context": {"platform": "android", "app_version": "2.10.0"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["queue"] == "legacy-billing"
    assert body["category"] == "billing"
    assert body["priority"] == "urgent"
    # routing's explanation is for staff (issue #17): the customer's answer hides it
    assert (body["routing_reason"], body["tags"]) == (None, [])
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.routing_reason.startswith("rules 'Invoices', 'Legacy billing' matched")
    assert "urgent: phrase 'charged twice'" in ticket.routing_reason
    assert "legacy" in ticket.tags


def test_an_edited_rule_applies_to_the_next_ticket(customer, billing, tech):
    rule = RoutingRule.objects.create(
        name="Mobile", order=1, conditions="platform = ios", set_queue=billing
    )
    first = new_ticket(customer, context={"platform": "android"})
    route(first)
    rule.conditions = "platform = android"
    rule.set_queue = tech
    rule.save()
    second = new_ticket(customer, context={"platform": "android"})
    route(second)
    assert first.queue != billing and second.queue == tech


def test_bulk_updated_rule_order_is_seen(customer, billing, tech):
    first = RoutingRule.objects.create(name="A", order=1, conditions="always", set_queue=billing)
    RoutingRule.objects.create(name="B", order=2, conditions="always", set_queue=tech)
    one = new_ticket(customer)
    route(one)
    RoutingRule.objects.filter(pk=first.pk).update(order=3)  # updated_at untouched
    two = new_ticket(customer)
    route(two)
    assert one.queue == tech and two.queue == billing
