"""The ingestion webhook's other answers: 405, 429, what failures leave behind, and the
customer's account an integration describes (split from test_webhooks.py)."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from tickets.models import Ticket

from .webhook_helpers import URL, assert_nothing_stored, payload, post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # integrations have no CSRF token


# --- 405, 429, failures leave nothing ------------------------------------------------------------


def test_get_is_405_json(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_rate_limit_is_429(client, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"webhook": "3/min"})
    statuses = [post(client, payload(external_id=f"r-{n}")).status_code for n in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    response = post(client, payload(external_id="r-last"))
    assert response.json()["error"] == "rate_limited"
    assert Ticket.objects.count() == 3


def test_an_integration_describes_the_customers_account(client):
    from tickets.models import CustomerAccount

    account = {
        "plan": "Pro",
        "tier": "gold",
        "mrr": "490.50",
        "billing_events": [
            {"type": "payment_failed", "at": "2026-12-01T10:00:00Z", "amount": 49.05},
            {"type": "invoice_sent"},
        ],
    }
    assert post(client, payload(account=account)).status_code == 201
    stored = CustomerAccount.objects.get(email="user@example.com")
    assert (stored.plan, stored.tier, str(stored.mrr)) == ("Pro", "gold", "490.50")
    assert stored.as_facts()["billing_events"] == ["payment_failed", "invoice_sent"]
    assert stored.billing_events[0]["amount"] == "49.05"
    # the next ticket's description replaces it
    assert post(client, payload(external_id="two", account={"plan": "Free"})).status_code == 201
    stored.refresh_from_db()
    assert (stored.plan, stored.mrr, stored.billing_events) == ("Free", None, [])


@pytest.mark.parametrize(
    "account, field",
    [
        ({"mrr": -1}, "mrr"),
        ({"plan": "x" * 101}, "plan"),
        ({"billing_events": [{"amount": 1}]}, "billing_events"),
        ({"billing_events": [{"type": "x"}] * 21}, "billing_events"),
        ("gold", "non_field_errors"),
    ],
)
def test_a_bad_account_is_a_field_error_and_stores_nothing(client, account, field):
    response = post(client, payload(account=account))
    assert response.status_code == 400, response.content
    assert set(response.json()["fields"]["account"]) == {field}
    assert_nothing_stored()
