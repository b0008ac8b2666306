"""The routing admin: validated rule editing, dry-run, backtest, urgency phrases, accuracy page."""

import pytest
from django.urls import reverse

from routing.models import ClassificationLog, RoutingRule, UrgencyPhrase
from routing.services import ticket_route
from routing.tests.fakes import NO_LLM, FakePredictor, prediction
from tickets.models import Status, Ticket
from tickets.services import ticket_store
from tickets.tests.factories import CategoryFactory, QueueFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:routing_routingrule_add")


def rule_form(**overrides) -> dict:
    data = {
        "name": "Legacy billing",
        "order": "10",
        "enabled": "on",
        "conditions": "app_version < 3.0 and category = billing",
        "set_queue": "",
        "set_category": "",
        "set_priority": "",
        "add_tags": "",
        "require_skill": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def legacy(db):
    return QueueFactory(slug="legacy-billing", name="Legacy billing")


@pytest.mark.parametrize(
    "conditions, message",
    [
        ("subject matches /(unclosed/", "bad regular expression"),
        ("colour = red", "unknown field &#x27;colour&#x27;"),
        ("app_version < 3.x", "version &#x27;3.x&#x27; does not parse"),
        ("subject ~= refund", "unknown operator &#x27;~=&#x27;"),
        ("channel > email", "operator &#x27;&gt;&#x27; does not apply"),
        ("", "This field is required"),
    ],
)
def test_invalid_rules_are_refused_with_a_message(admin_client, legacy, conditions, message):
    response = admin_client.post(ADD_URL, rule_form(conditions=conditions, set_queue=legacy.pk))
    assert response.status_code == 200  # the form again, not a redirect
    assert message in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_rule_needs_an_action(admin_client):
    response = admin_client.post(ADD_URL, rule_form())
    assert "at least one action" in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_legacy_billing_rule_from_admin_routes_tickets(admin_client, legacy, customer):
    billing = CategoryFactory(slug="billing", name="Billing")
    response = admin_client.post(ADD_URL, rule_form(set_queue=legacy.pk, add_tags="legacy, app"))
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert rule.add_tags == ["legacy", "app"]
    ticket = ticket_store(
        subject="Charged twice",
        body="",
        channel="in_app",
        customer=customer,
        context={"app_version": "2.9.1"},
    ).ticket
    ticket.category = billing
    ticket.save()
    ticket_route(ticket=ticket, predictor=FakePredictor(None), llm=NO_LLM)
    ticket.refresh_from_db()
    assert ticket.queue == legacy and ticket.tags == ["legacy", "app"]
    assert ticket.routing_reason.startswith("rule 'Legacy billing' matched")


def test_changelist_is_ordered_and_order_enabled_are_editable(admin_client, legacy):
    late = RoutingRule.objects.create(name="Late", order=50, conditions="always", set_queue=legacy)
    early = RoutingRule.objects.create(name="Early", order=5, conditions="always", set_queue=legacy)
    url = reverse("admin:routing_routingrule_changelist")
    page = admin_client.get(url).content.decode()
    assert page.index("Early") < page.index("Late")
    assert "Dry-run a sample ticket" in page
    response = admin_client.post(
        url,
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": early.pk,
            "form-0-order": "60",
            "form-0-enabled": "on",
            "form-1-id": late.pk,
            "form-1-order": "1",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    late.refresh_from_db()
    early.refresh_from_db()
    assert (late.order, late.enabled, early.order, early.enabled) == (1, False, 60, True)


def test_dry_run_shows_rules_fired_and_result(admin_client, legacy):
    billing = CategoryFactory(slug="billing")
    RoutingRule.objects.create(
        name="Invoices",
        order=1,
        conditions="text contains invoice",
        set_category=billing,
        add_tags=["money"],
    )
    RoutingRule.objects.create(
        name="Legacy billing",
        order=2,
        conditions="app_version < 3.0 and category = billing",
        set_queue=legacy,
        set_priority="high",
    )
    RoutingRule.objects.create(
        name="Disabled one", order=3, conditions="always", set_priority="low", enabled=False
    )
    UrgencyPhrase.objects.create(phrase="cannot log in")
    url = reverse("admin:routing_routingrule_dry_run")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "subject": "Invoice missing",
            "body": "and I cannot log in",
            "channel": "in_app",
            "context": '{"app_version": "2.9.1", "platform": "ios"}',
            "fields": "",
        },
    )
    page = response.content.decode()
    assert "Invoices" in page and "Legacy billing" in page and "Disabled one" not in page
    result = response.context["result"]
    assert result["result"]["queue"] == "legacy-billing"
    assert result["result"]["category"] == "billing"
    assert result["result"]["priority"] == "urgent"  # the urgency phrase wins
    assert result["urgency"] == ["cannot log in"]
    assert result["result"]["tags"] == ["money"]
    assert not RoutingRule.objects.filter(name="x").exists() and not Ticket.objects.exists()


def test_dry_run_with_disabled_rules_and_known_fields(admin_client):
    RoutingRule.objects.create(
        name="VIP", order=1, conditions="tags contains vip", set_priority="high", enabled=False
    )
    response = admin_client.post(
        reverse("admin:routing_routingrule_dry_run"),
        {
            "subject": "Hello",
            "body": "",
            "channel": "web",
            "context": "",
            "fields": '{"tags": ["vip"]}',
            "include_disabled": "on",
        },
    )
    assert response.context["result"]["result"]["priority"] == "high"


def test_dry_run_refuses_bad_json(admin_client):
    response = admin_client.post(
        reverse("admin:routing_routingrule_dry_run"),
        {
            "subject": "x",
            "channel": "web",
            "context": "{not json",
            "fields": "[1]",
        },
    )
    page = response.content.decode()
    assert "Not valid JSON" in page and "Write a JSON object" in page
    assert response.context["result"] is None


def test_backtest_counts_matches_and_where_they_ended(admin_client, legacy, customer):
    other = QueueFactory(slug="general")
    for version, queue in (("2.1", legacy), ("2.5", legacy), ("2.9", other), ("3.1", legacy)):
        Ticket.objects.create(
            subject="<b>old</b> ticket",
            body="",
            customer_email="a@x.io",
            context={"app_version": version},
            queue=queue,
            status=Status.RESOLVED,
        )
    rule = RoutingRule.objects.create(
        name="Old apps", order=1, enabled=False, conditions="app_version < 3.0", set_queue=legacy
    )
    url = reverse("admin:routing_routingrule_backtest", args=[rule.pk])
    response = admin_client.get(url, {"limit": "10"})
    result = response.context["result"]
    assert (result["tickets"], result["matched"], result["same_queue"]) == (4, 3, 2)
    page = response.content.decode()
    assert "&lt;b&gt;old&lt;/b&gt;" in page and "<b>old</b>" not in page
    assert admin_client.get(url, {"limit": "2"}).context["result"]["tickets"] == 2
    assert admin_client.get(url, {"limit": "0"}).context["result"] is None


def test_backtest_previous_ticket_count(admin_client, legacy):
    for _ in range(3):
        Ticket.objects.create(subject="again", customer_email="repeat@x.io")
    Ticket.objects.create(subject="first time", customer_email="new@x.io")
    rule = RoutingRule.objects.create(
        name="Repeat", order=1, conditions="previous_tickets_count >= 1", set_queue=legacy
    )
    response = admin_client.get(reverse("admin:routing_routingrule_backtest", args=[rule.pk]))
    assert response.context["result"]["matched"] == 2


def test_backtest_of_a_broken_stored_rule_says_why(admin_client, legacy):
    rule = RoutingRule.objects.create(
        name="Broken", order=1, conditions="foo = 1", set_queue=legacy
    )
    response = admin_client.get(reverse("admin:routing_routingrule_backtest", args=[rule.pk]))
    assert "unknown field" in response.content.decode()


def test_urgency_phrases_are_editable(admin_client):
    response = admin_client.post(
        reverse("admin:routing_urgencyphrase_add"), {"phrase": "security breach", "enabled": "on"}
    )
    assert response.status_code == 302
    assert UrgencyPhrase.objects.get().phrase == "security breach"


def test_classification_log_and_versions_are_read_only(admin_client, legacy, customer):
    ticket = ticket_store(subject="s", body="b", channel="api", customer=customer).ticket
    log = ticket_route(ticket=ticket, predictor=FakePredictor(None), llm=NO_LLM)
    assert (
        admin_client.get(reverse("admin:routing_classificationlog_changelist")).status_code == 200
    )
    assert (
        admin_client.get(
            reverse("admin:routing_classificationlog_change", args=[log.pk])
        ).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:routing_classificationlog_add")).status_code == 403
    assert admin_client.get(reverse("admin:routing_classifiermodel_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:routing_classificationlog_delete", args=[log.pk]), {"post": "yes"}
    )
    assert response.status_code == 403 and ClassificationLog.objects.filter(pk=log.pk).exists()


def test_accuracy_page(admin_client, customer):
    QueueFactory(slug="billing")
    ticket = ticket_store(subject="s", body="b", channel="api", customer=customer).ticket
    ticket_route(
        ticket=ticket, predictor=FakePredictor(prediction(queue=("billing", 0.9))), llm=NO_LLM
    )
    response = admin_client.get(reverse("admin:routing_classificationlog_accuracy"))
    assert response.status_code == 200
    assert response.context["report"]["overall"]["queue_stood"] == 1
    assert "billing" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["routing_routingrule_dry_run", "routing_classificationlog_accuracy"]
)
def test_admin_pages_need_staff(client, customer, name):
    client.force_login(customer)
    response = client.get(reverse(f"admin:{name}"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_change_form_shows_tags_as_text_and_help(admin_client, legacy):
    rule = RoutingRule.objects.create(
        name="Tagged", order=1, conditions="always", add_tags=["vip", "mobile"]
    )
    page = admin_client.get(reverse("admin:routing_routingrule_change", args=[rule.pk]))
    html = page.content.decode()
    assert 'value="vip, mobile"' in html
    assert "app_version &lt; 3.0 and category = billing" in html  # the syntax help
    assert (
        reverse("admin:routing_routingrule_backtest", args=[rule.pk])
        in admin_client.get(reverse("admin:routing_routingrule_changelist")).content.decode()
    )


def test_phase_shown_in_the_list_and_the_change_form(admin_client, legacy):
    late = RoutingRule.objects.create(
        name="Old apps",
        order=1,
        conditions="app_version < 3.0 and category = billing",
        set_queue=legacy,
    )
    RoutingRule.objects.create(
        name="Checkout", order=2, conditions="last_screen = checkout", set_queue=legacy
    )
    page = admin_client.get(reverse("admin:routing_routingrule_changelist")).content.decode()
    assert "2 · after the classifier" in page and "1 · before the classifier" in page
    change = admin_client.get(reverse("admin:routing_routingrule_change", args=[late.pk]))
    html = change.content.decode()
    assert "2 · after the classifier" in html
    assert 'name="phase"' not in html  # derived, read-only
    assert "count &gt; 3" in html  # the syntax help names the count comparison
    assert admin_client.get(ADD_URL).status_code == 200


def test_dry_run_shows_both_phases_with_the_given_answer(admin_client, legacy):
    RoutingRule.objects.create(
        name="Old apps",
        order=1,
        conditions="app_version < 3.0 and category = billing and confidence >= 0.5",
        set_queue=legacy,
    )
    RoutingRule.objects.create(
        name="Checkout", order=2, conditions="last_screen = checkout", add_tags=["checkout"]
    )
    url = reverse("admin:routing_routingrule_dry_run")
    data = {
        "subject": "I was charged twice",
        "channel": "in_app",
        "context": '{"app_version": "2.9.1", "last_screen": "checkout"}',
        "predicted": '{"category": "billing", "confidence": 0.8}',
    }
    response = admin_client.post(url, data)
    result = response.context["result"]
    one, two = result["phases"]
    assert [r["name"] for r in one["fired"]] == ["Checkout"]
    assert [r["name"] for r in two["fired"]] == ["Old apps"]
    assert two["seen"]["category"] == "billing" and two["seen"]["confidence"] == 0.8
    assert result["result"]["queue"] == "legacy-billing"
    page = response.content.decode()
    assert "Phase 1: before the classifier" in page and "Phase 2: after the classifier" in page
    unsure = admin_client.post(url, {**data, "predicted": '{"category": "billing"}'})
    assert unsure.context["result"]["phases"][1]["fired"] == []
    assert unsure.context["result"]["result"]["queue"] == ""


def test_dry_run_phase_two_skipped_after_a_phase_one_stop(admin_client, legacy):
    RoutingRule.objects.create(name="Stop", order=5, conditions="always", add_tags=["s"], stop=True)
    RoutingRule.objects.create(
        name="Billing", order=1, conditions="category = billing", set_queue=legacy
    )
    response = admin_client.post(
        reverse("admin:routing_routingrule_dry_run"),
        {"subject": "x", "channel": "web", "predicted": '{"category": "billing"}'},
    )
    two = response.context["result"]["phases"][1]
    assert two["skipped"] == "phase 1 stopped at 'Stop'" and two["fired"] == []
    assert "Did not run: phase 1 stopped at" in response.content.decode()


@pytest.mark.parametrize(
    "predicted, message",
    [
        ('{"colour": "red"}', "Unknown field(s) colour"),
        ('{"confidence": 80}', "confidence is a number from 0 to 1"),
        ('{"confidence": "high"}', "confidence is a number from 0 to 1"),
    ],
)
def test_dry_run_refuses_a_bad_answer(admin_client, predicted, message):
    response = admin_client.post(
        reverse("admin:routing_routingrule_dry_run"),
        {"subject": "x", "channel": "web", "predicted": predicted},
    )
    assert message in response.content.decode() and response.context["result"] is None


def test_backtest_shows_the_phase_and_what_phase_one_stops_first(admin_client, legacy, customer):
    billing = CategoryFactory(slug="billing")
    for version, screen in (("2.1", "checkout"), ("2.5", "home"), ("3.1", "home")):
        Ticket.objects.create(
            subject="charged",
            customer_email="a@x.io",
            context={"app_version": version, "last_screen": screen},
            category=billing,
            queue=legacy,
            confidence=0.9,
        )
    RoutingRule.objects.create(
        name="Checkout first", order=50, conditions="last_screen = checkout", stop=True
    )
    rule = RoutingRule.objects.create(
        name="Old apps",
        order=1,
        conditions="app_version < 3.0 and category = billing and confidence > 0.8",
        set_queue=legacy,
    )
    response = admin_client.get(reverse("admin:routing_routingrule_backtest", args=[rule.pk]))
    result = response.context["result"]
    assert result["phase"] == 2 and result["predicted_fields"] == ["category", "confidence"]
    assert (result["matched"], result["stopped_first"], result["same_queue"]) == (2, 1, 2)
    assert "Phase 2: it reads what the classifier answers" in response.content.decode()
    checkout = RoutingRule.objects.get(name="Checkout first")
    first = admin_client.get(reverse("admin:routing_routingrule_backtest", args=[checkout.pk]))
    assert first.context["result"]["phase"] == 1 and first.context["result"]["matched"] == 1
