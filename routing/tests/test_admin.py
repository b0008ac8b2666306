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
