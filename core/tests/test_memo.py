"""Configuration reads remembered inside a batch (core.memo) and the intake drain using it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import memo
from journey.services import ticket_ingest, ticket_intake_drain
from routing.models import RoutingRule, UrgencyPhrase
from routing.selectors import rules_compiled, urgency_phrases
from sla.models import SLAPolicy
from sla.selectors import sla_targets_for
from tickets.models import Ticket
from tickets.tests.factories import QueueFactory

pytestmark = pytest.mark.django_db


def test_outside_a_scope_every_call_reads():
    with CaptureQueriesContext(connection) as reads:
        urgency_phrases()
        urgency_phrases()
    assert len(reads) == 2


def test_inside_a_scope_a_read_is_reused_until_it_is_too_old(monkeypatch):
    clock = {"t": 100.0}
    monkeypatch.setattr(memo.time, "monotonic", lambda: clock["t"])
    UrgencyPhrase.objects.create(phrase="site down")
    with memo.config_memo(max_age=5), CaptureQueriesContext(connection) as reads:
        assert urgency_phrases() == ["site down"]
        UrgencyPhrase.objects.create(phrase="data loss")  # an admin's edit meanwhile
        assert urgency_phrases() == ["site down"]  # remembered
        clock["t"] += 5
        assert sorted(urgency_phrases()) == ["data loss", "site down"]  # re-read
    phrase_reads = [q for q in reads.captured_queries if q["sql"].startswith("SELECT")]
    assert len(phrase_reads) == 2


def test_keys_keep_different_questions_apart():
    queue = QueueFactory(slug="vip")
    SLAPolicy.objects.create(
        name="vip high",
        priority="high",
        queue=queue,
        first_response_minutes=10,
        resolution_minutes=60,
        at_risk_minutes=5,
    )
    with memo.config_memo():
        assert sla_targets_for(queue=queue, priority="high").first_response_minutes == 10
        assert sla_targets_for(queue=None, priority="high").first_response_minutes != 10
        assert sla_targets_for(queue=queue, priority="low").first_response_minutes != 10
        rules_compiled()
        RoutingRule.objects.create(name="Off", order=1, conditions="always", enabled=False)
        assert len(rules_compiled(include_disabled=True).rules) == 1  # its own key


def test_the_drain_reads_the_configuration_once_for_a_batch(settings):
    settings.HELPDESK_INGEST_DEFERRED = True
    UrgencyPhrase.objects.create(phrase="site down")
    for n in range(3):
        ticket_ingest(
            subject=f"Refund {n}",
            body="Charged twice.",
            channel="email",
            customer_email=f"d{n}@example.com",
            external_id=f"memo-{n}",
        )
    with CaptureQueriesContext(connection) as reads:
        assert ticket_intake_drain() == 3
    phrase_reads = [q for q in reads.captured_queries if "routing_urgencyphrase" in q["sql"]]
    rule_reads = [q for q in reads.captured_queries if 'FROM "routing_routingrule"' in q["sql"]]
    assert (len(phrase_reads), len(rule_reads)) == (1, 1)
    assert not Ticket.objects.filter(intake_pending=True).exists()
