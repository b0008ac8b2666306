"""Fault: the active classifier's file is missing or corrupt when the service starts. Intake
still routes (a rule, else the default queue), the log says why, and the routing admin warns."""

import logging
import os

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from journey.tests.webhook_helpers import payload, post
from routing.classifier import local
from routing.models import ClassifierModel, RoutingRule
from tickets.models import Ticket
from tickets.tests.factories import QueueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_model(request, settings, tmp_path):
    """An active version whose file is absent, or random bytes in its place, in a process
    that has not loaded any model yet (as at start)."""
    settings.HELPDESK_MODEL_DIR = tmp_path
    settings.HELPDESK_MODEL_CHECK_SECONDS = 0
    settings.HELPDESK_INGEST_DEFERRED = False
    ClassifierModel.objects.create(
        version=3, path="classifier-v3.joblib", fields=["queue"], is_active=True
    )
    if request.param == "corrupt":
        (tmp_path / "classifier-v3.joblib").write_bytes(os.urandom(4096))
    monkey = pytest.MonkeyPatch()
    monkey.setattr(local, "_current", None)
    local.invalidate()
    cache.clear()
    yield request.param
    monkey.undo()
    local.invalidate()


@pytest.mark.parametrize("broken_model", ["missing", "corrupt"], indirect=True)
def test_intake_routes_by_rules_and_default_queue_and_says_why(broken_model, settings, caplog):
    general = QueueFactory(slug="general", name="General")
    tech = QueueFactory(slug="tech", name="Tech")
    settings.HELPDESK_DEFAULT_QUEUE = "general"
    RoutingRule.objects.create(
        name="Crashes", order=1, conditions="text contains crash", set_queue=tech
    )
    client = Client()

    with caplog.at_level(logging.WARNING, logger="routing.classifier.local"):
        by_rule = post(client, payload(external_id="m-1", subject="App crash on start"))
        by_default = post(client, payload(external_id="m-2", subject="Question about my plan"))

    assert (by_rule.status_code, by_default.status_code) == (201, 201)
    ruled = Ticket.objects.get(external_id="m-1")
    defaulted = Ticket.objects.get(external_id="m-2")
    assert ruled.queue == tech and ruled.routing_reason.startswith("rule 'Crashes' matched")
    assert defaulted.queue == general
    assert "classifier v3 could not be loaded" in defaulted.routing_reason
    assert "default queue 'General'" in defaulted.routing_reason
    assert "Classifier v3 could not be loaded" in caplog.text
    assert "routing by rules and queue defaults" in caplog.text


@pytest.mark.parametrize("broken_model", ["missing", "corrupt"], indirect=True)
def test_the_routing_admin_warns_that_the_model_is_not_in_use(broken_model, admin_client):
    for name in (
        "admin:routing_classifiermodel_changelist",
        "admin:routing_routingrule_changelist",
    ):
        page = admin_client.get(reverse(name)).content.decode()
        assert "The classifier v3 could not be loaded" in page
        assert "tickets are routed by rules and queue defaults" in page


def test_no_warning_while_no_model_is_trained(admin_client, settings, tmp_path):
    settings.HELPDESK_MODEL_DIR = tmp_path
    local.invalidate()
    page = admin_client.get(reverse("admin:routing_classifiermodel_changelist")).content.decode()
    assert "could not be loaded" not in page
