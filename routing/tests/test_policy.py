"""The decision policy: rules first, then the model, triage on low confidence, defaults, the LLM."""

import pytest

from agents.models import Skill
from journey.services import ticket_submit
from routing.models import ClassificationLog, RoutingRule, UrgencyPhrase
from routing.services import ticket_route
from routing.tests.fakes import NO_LLM, CrashingPredictor, FakeLLM, FakePredictor, prediction
from routing.tests.policy_support import new_ticket, route
from tickets.models import Category, Queue, TicketEvent
from tickets.tests.factories import CategoryFactory, QueueFactory

pytestmark = pytest.mark.django_db


def test_rules_win_over_the_model(customer, billing, tech):
    RoutingRule.objects.create(
        name="Invoices", order=1, conditions="text contains invoice", set_queue=tech
    )
    ticket = new_ticket(customer)
    log = route(ticket, FakePredictor(prediction(queue=("billing", 0.99))))
    assert ticket.queue == tech
    assert ticket.confidence == 1.0
    assert ticket.routing_reason.startswith("rule 'Invoices' matched")
    assert log.source == "rules"
    assert log.rules_fired == [{"id": RoutingRule.objects.get().pk, "name": "Invoices"}]


def test_model_routes_when_no_rule_matches(customer, billing):
    category = CategoryFactory(slug="payments")
    predictor = FakePredictor(
        prediction(
            queue=("billing", 0.93),
            category=("payments", 0.88),
            priority=("high", 0.8),
            top_words=("invoice", "charged"),
            language="en",
        )
    )
    ticket = new_ticket(customer)
    log = route(ticket, predictor)
    assert ticket.queue == billing
    assert ticket.category == category
    assert ticket.priority == "high"
    assert ticket.confidence == pytest.approx(0.93)
    assert ticket.language == "en"
    assert "model: billing 0.93; top words: invoice, charged" in ticket.routing_reason
    assert log.source == "local" and log.model_name == "local" and log.model_version == "7"
    assert log.probabilities["queue"] == {"billing": 0.93}
    assert (log.queue, log.category, log.priority) == ("billing", "payments", "high")
    assert predictor.calls[0][0].startswith("I was charged twice\n")


def test_low_confidence_goes_to_triage_with_the_reason(customer, billing):
    ticket = new_ticket(customer)
    log = route(ticket, FakePredictor(prediction(queue=("billing", 0.41))))
    assert ticket.queue.is_triage and ticket.queue.slug == "triage"
    assert "low confidence 0.41 < 0.70: sent to triage" in ticket.routing_reason
    assert ticket.confidence == pytest.approx(0.41)
    assert log.triaged is True and log.queue == "triage"


def test_existing_triage_queue_is_reused(customer, billing):
    inbox = QueueFactory(slug="inbox", name="Inbox", is_triage=True)
    ticket = new_ticket(customer)
    route(ticket, FakePredictor(prediction(queue=("billing", 0.2))))
    assert ticket.queue == inbox
    assert Queue.objects.filter(is_triage=True).count() == 1


def test_queue_threshold_is_per_queue(customer, billing):
    billing.confidence_threshold = 0.4
    billing.save()
    ticket = new_ticket(customer)
    route(ticket, FakePredictor(prediction(queue=("billing", 0.45))))
    assert ticket.queue == billing
    strict = QueueFactory(slug="legal", confidence_threshold=0.95)
    other = new_ticket(customer)
    route(other, FakePredictor(prediction(queue=(strict.slug, 0.9))))
    assert other.queue.is_triage
    assert "0.90 < 0.95" in other.routing_reason


def test_no_model_and_no_rule_falls_back_to_defaults_and_says_so(customer):
    ticket = new_ticket(customer)
    log = route(ticket, FakePredictor(None))
    assert ticket.category is None
    assert ticket.queue.is_triage
    assert "no rule matched and no model trained" in ticket.routing_reason
    assert ticket.confidence is None
    assert log.source == "default" and not log.model_name


def test_default_queue_setting(customer, settings):
    general = QueueFactory(slug="general", name="General", default_priority="low")
    settings.HELPDESK_DEFAULT_QUEUE = "general"
    ticket = new_ticket(customer)
    route(ticket, FakePredictor(None))
    assert ticket.queue == general
    assert ticket.priority == "low"  # the queue's default priority
    assert "default queue 'General'" in ticket.routing_reason


def test_crashing_model_does_not_fail_the_ticket(customer):
    ticket = new_ticket(customer)
    log = route(ticket, CrashingPredictor())
    assert ticket.queue.is_triage
    assert "local model failed (model file is corrupt)" in ticket.routing_reason
    assert "model file is corrupt" in log.error


def test_llm_used_when_configured(customer, billing, settings):
    settings.HELPDESK_LLM_POLICY = "always"
    llm = FakeLLM(
        prediction(source="claude", queue=("billing", 0.95), tokens=(812, 40), cost=0.0031)
    )
    local = FakePredictor(prediction(queue=("tech", 0.99)))
    ticket = new_ticket(customer, language="de")
    log = route(ticket, local, llm=llm)
    assert ticket.queue == billing
    assert "claude: billing 0.95" in ticket.routing_reason
    assert log.source == "claude" and log.model_name == "claude-test"
    assert (log.input_tokens, log.output_tokens) == (812, 40)
    assert float(log.cost_usd) == pytest.approx(0.0031)
    assert llm.calls[0]["language"] == "de"
    assert local.calls == []  # Claude answered; the local model was not needed


def test_llm_failure_falls_back_to_local(customer, billing, tech, settings):
    settings.HELPDESK_LLM_POLICY = "always"
    llm = FakeLLM(fail="timed out after 2s")
    ticket = new_ticket(customer)
    log = route(ticket, FakePredictor(prediction(queue=("tech", 0.9))), llm=llm)
    assert ticket.queue == tech
    assert log.source == "fallback"
    assert "claude unavailable (timed out after 2s): local model used" in ticket.routing_reason
    assert "timed out" in log.error


def test_low_confidence_policy_asks_claude_only_when_local_is_unsure(
    customer, billing, tech, settings
):
    settings.HELPDESK_LLM_POLICY = "low_confidence"
    llm = FakeLLM(prediction(source="claude", queue=("billing", 0.9)))
    sure = new_ticket(customer)
    route(sure, FakePredictor(prediction(queue=("tech", 0.95))), llm=llm)
    assert sure.queue == tech and llm.calls == []
    unsure = new_ticket(customer)
    log = route(unsure, FakePredictor(prediction(queue=("tech", 0.5))), llm=llm)
    assert unsure.queue == billing and len(llm.calls) == 1
    assert log.source == "claude"


def test_default_policy_asks_claude_only_for_low_confidence(customer, billing, tech, settings):
    """The README's promise: Claude handles the tickets the local model is unsure about."""
    del settings.HELPDESK_LLM_POLICY  # not set: the default
    llm = FakeLLM(prediction(source="claude", queue=("billing", 0.9)))
    sure = new_ticket(customer)
    route(sure, FakePredictor(prediction(queue=("tech", 0.95))), llm=llm)
    assert sure.queue == tech and llm.calls == []
    unsure = new_ticket(customer)
    log = route(unsure, FakePredictor(prediction(queue=("tech", 0.5))), llm=llm)
    assert unsure.queue == billing and log.source == "claude" and len(llm.calls) == 1


def test_explicit_priority_is_kept(customer, billing):
    RoutingRule.objects.create(name="High", order=1, conditions="always", set_priority="high")
    ticket = new_ticket(customer, priority="low")
    route(
        ticket,
        FakePredictor(prediction(queue=("billing", 0.9), priority=("urgent", 0.99))),
        explicit_priority=True,
    )
    assert ticket.priority == "low"


def test_urgency_phrase_forces_urgent_and_is_logged(customer, billing):
    UrgencyPhrase.objects.create(phrase="system down")
    UrgencyPhrase.objects.create(phrase="data loss", enabled=False)
    ticket = new_ticket(customer, subject="SYSTEM DOWN since 9am", body="data loss too")
    log = route(ticket, FakePredictor(prediction(queue=("billing", 0.9), priority=("low", 0.9))))
    assert ticket.priority == "urgent"
    assert "urgent: phrase 'system down'" in ticket.routing_reason
    assert log.input_snapshot["urgency_phrases"] == ["system down"]  # the disabled one is not
    event = TicketEvent.objects.get(ticket=ticket, kind="urgency_override")
    assert (event.before, event.after) == ("normal", "urgent")


def test_urgency_phrase_needs_whole_words(customer):
    UrgencyPhrase.objects.create(phrase="down")
    ticket = new_ticket(customer, subject="Download fails", body="")
    route(ticket)
    assert ticket.priority != "urgent"


def test_rule_actions_tags_and_skill(customer, billing):
    skill = Skill.objects.create(name="iOS", slug="ios")
    RoutingRule.objects.create(
        name="iOS",
        order=1,
        conditions="platform = ios",
        add_tags=["mobile", "ios"],
        require_skill=skill,
    )
    ticket = new_ticket(customer, context={"platform": "ios"})
    route(ticket)
    assert ticket.tags == ["mobile", "ios"]
    assert ticket.required_skill == skill


def test_broken_stored_rule_is_skipped_not_fatal(customer, billing):
    RoutingRule.objects.create(
        name="Broken",
        order=1,
        conditions="app_version < 3.x",
        set_queue=QueueFactory(slug="nowhere"),
    )
    RoutingRule.objects.create(name="Good", order=2, conditions="always", set_queue=billing)
    ticket = new_ticket(customer)
    log = route(ticket)
    assert ticket.queue == billing
    assert log.input_snapshot["rule_errors"][0]["name"] == "Broken"


def test_disabled_rules_do_not_fire(customer, billing):
    RoutingRule.objects.create(
        name="Off", order=1, conditions="always", set_queue=billing, enabled=False
    )
    ticket = new_ticket(customer)
    route(ticket)
    assert ticket.queue != billing


def test_previous_tickets_count_is_counted_when_a_rule_needs_it(customer, billing):
    RoutingRule.objects.create(
        name="Repeat", order=1, conditions="previous_tickets_count >= 2", set_queue=billing
    )
    first, second, third = (new_ticket(customer) for _ in range(3))
    route(second)
    route(third)
    assert second.queue != billing
    assert third.queue == billing


def test_subcategory_predicted_among_the_queue_s_own(customer, billing):
    parent = CategoryFactory(slug="billing-cat", name="Billing")
    refund = Category.objects.create(name="Refund", slug="refund", parent=parent, queue=billing)
    Category.objects.create(
        name="Charge dispute", slug="charge-dispute", parent=parent, queue=billing
    )
    predictor = FakePredictor(prediction(queue=("billing", 0.9), subcategory=("refund", 0.8)))
    ticket = new_ticket(customer)
    route(ticket, predictor)
    assert ticket.subcategory == refund
    assert ticket.category == parent
    assert "sub-category: refund (model)" in ticket.routing_reason


def test_subcategory_asked_again_once_a_rule_picked_the_queue(customer, billing):
    parent = CategoryFactory(slug="billing-cat", name="Billing")
    dispute = Category.objects.create(
        name="Charge dispute", slug="charge-dispute", parent=parent, queue=billing
    )
    RoutingRule.objects.create(name="Money", order=1, conditions="always", set_queue=billing)
    predictor = FakePredictor(
        prediction(queue=("tech", 0.9)),
        by_queue={"billing": prediction(subcategory=("charge-dispute", 0.85))},
    )
    ticket = new_ticket(customer)
    route(ticket, predictor)
    assert ticket.subcategory == dispute
    assert predictor.calls[-1][1]["queue"] == "billing"


def test_subcategory_by_keyword_without_a_model(customer, billing):
    parent = CategoryFactory(slug="billing-cat", name="Billing")
    refund = Category.objects.create(name="Refund", slug="refund", parent=parent, queue=billing)
    Category.objects.create(
        name="Invoice question", slug="invoice-question", parent=parent, queue=billing
    )
    RoutingRule.objects.create(name="Money", order=1, conditions="always", set_queue=billing)
    ticket = new_ticket(customer, subject="Refund please", body="nothing else")
    route(ticket)
    assert ticket.subcategory == refund and ticket.category == parent


def test_rule_setting_a_subcategory_fills_the_parent(customer, billing):
    parent = CategoryFactory(slug="billing-cat", name="Billing")
    refund = Category.objects.create(name="Refund", slug="refund", parent=parent, queue=billing)
    RoutingRule.objects.create(
        name="Refunds",
        order=1,
        conditions="text contains refund",
        set_queue=billing,
        set_category=refund,
    )
    ticket = new_ticket(customer)
    route(ticket)
    assert (ticket.category, ticket.subcategory) == (parent, refund)


def test_language_given_is_kept(customer, billing):
    ticket = new_ticket(customer, language="fr")
    route(ticket, FakePredictor(prediction(queue=("billing", 0.9), language="en")))
    assert ticket.language == "fr"


def test_routed_event_log_and_live_event(customer, billing, monkeypatch):
    published = []
    monkeypatch.setattr("live.realtime.publish", lambda *a, **k: published.append(a))
    ticket = new_ticket(customer, context={"app_version": "2.1"})
    log = route(ticket, FakePredictor(prediction(queue=("billing", 0.93))))
    event = TicketEvent.objects.get(ticket=ticket, kind="routed")
    assert event.data["queue"] == "billing" and event.reason == ticket.routing_reason
    assert log.ticket == ticket and log.latency_ms > 0
    assert log.input_snapshot["context"] == {"app_version": "2.1"}
    assert log.input_snapshot["subject"] == "I was charged twice"
    assert published[-1][0] == "ticket.routed"
    assert published[-1][2] == {
        "queue": "billing",
        "category": None,
        "priority": "normal",
        "confidence": pytest.approx(0.93),
    }


def test_rules_load_in_one_query_whatever_their_number(
    customer, billing, django_assert_max_num_queries
):
    for i in range(30):
        RoutingRule.objects.create(
            name=f"R{i}",
            order=i,
            conditions=f"subject contains w{i}",
            set_queue=billing,
            add_tags=[f"t{i}"],
        )
    ticket = new_ticket(customer)
    # rules, urgency phrases, queues; then the ticket update, the event and the log
    with django_assert_max_num_queries(6):
        ticket_route(
            ticket=ticket, predictor=FakePredictor(prediction(queue=("billing", 0.9))), llm=NO_LLM
        )
    ticket.refresh_from_db()
    assert ticket.queue == billing


def test_pipeline_routes_through_ticket_create(customer):
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
    )
    ticket = ticket_submit(
        subject="Invoice is wrong",
        body="",
        channel="in_app",
        customer=customer,
        context={"app_version": "2.9.1"},
    ).ticket
    ticket.refresh_from_db()
    assert ticket.queue == legacy and ticket.category == billing_cat
    assert ticket.routing_reason.startswith("rules 'Invoices', 'Legacy billing' matched")
    assert ClassificationLog.objects.filter(ticket=ticket, source="rules").count() == 1
    newer = ticket_submit(
        subject="Invoice is wrong",
        body="",
        channel="in_app",
        customer=customer,
        context={"app_version": "3.0.0"},
    ).ticket
    newer.refresh_from_db()
    assert newer.queue != legacy and newer.category == billing_cat
