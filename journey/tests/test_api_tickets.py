"""`/api/v1/tickets/`: create with mobile context, list and read with visibility per role."""

import json
import uuid

import pytest
from django.test import Client

from agents.tests.factories import AgentFactory
from tickets.models import Ticket
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"
CONTEXT = {
    "user_id": "u-42",
    "platform": "ios",
    "app_version": "2.9.1",
    "os_version": "17.4",
    "last_screen": "Checkout",
    "session_events": ["open_app", "tap_pay", "error_403"],
    "locale": "de_DE",
    "previous_tickets_count": 3,
}


def test_customer_creates_a_ticket_from_the_app(api, customer):
    response = api(customer).post(
        URL,
        {"subject": " Payment fails ", "body": "It says 403.", "context": CONTEXT},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    ticket = Ticket.objects.get()
    assert data["id"] == str(ticket.pk)
    assert (data["subject"], data["body"], data["channel"]) == (
        "Payment fails",
        "It says 403.",
        "in_app",
    )
    assert data["context"] == CONTEXT
    assert data["language"] == "de"
    assert data["customer_email"] == customer.email
    assert ticket.customer == customer
    for field in [
        "id",
        "subject",
        "body",
        "channel",
        "status",
        "category",
        "priority",
        "queue",
        "assigned_agent",
        "confidence",
        "routing_reason",
        "tags",
        "sla_first_response_due",
        "sla_resolution_due",
        "escalation_level",
        "created_at",
        "updated_at",
        "resolved_at",
    ]:
        assert field in data
    assert "suggested_reply" not in data


def test_create_without_platform_is_channel_api(api, customer):
    response = api(customer).post(URL, {"subject": "Hi", "body": "Help"}, format="json")
    assert response.status_code == 201
    assert response.json()["channel"] == "api"
    assert response.json()["context"] == {}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "x"}, "subject"),
        ({"subject": "x"}, "body"),
        ({"subject": " ", "body": "x"}, "subject"),
        ({"subject": "x", "body": "x", "context": "ios"}, "context"),
        ({"subject": "x", "body": "x", "context": {"session_events": list(range(21))}}, "context"),
        ({"subject": "x", "body": "x", "context": {"previous_tickets_count": -3}}, "context"),
    ],
)
def test_create_with_invalid_fields_is_400(api, customer, data, field):
    response = api(customer).post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Ticket.objects.count() == 0


def test_create_with_malformed_json_is_400(api, customer):
    response = api(customer).generic("POST", URL, b'{"subject": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"


def test_create_with_nan_is_400(api, customer):
    raw = b'{"subject": "x", "body": "y", "context": {"previous_tickets_count": NaN}}'
    response = api(customer).generic("POST", URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_create_with_an_urlencoded_form_is_415(api, customer):
    # JSON, or multipart/form-data when there are files (tests/test_api_attachments.py)
    response = api(customer).generic(
        "POST", URL, "subject=x&body=y", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert Ticket.objects.count() == 0


def test_create_over_the_size_limit_is_413(api, customer, settings):
    settings.HELPDESK_API_MAX_BYTES = 500
    response = api(customer).post(URL, {"subject": "x", "body": "y" * 1000}, format="json")
    assert response.status_code == 413
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_staff_cannot_open_tickets_as_customers(api, request, role):
    user = request.getfixturevalue(role)
    response = api(getattr(user, "user", user)).post(
        URL, {"subject": "x", "body": "y"}, format="json"
    )
    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_customer_lists_only_their_own_tickets(api, customer, other_customer):
    mine = TicketFactory(customer=customer)
    TicketFactory(customer=other_customer)
    assert _ids(api(customer).get(URL)) == {str(mine.pk)}


def test_agent_lists_tickets_of_their_queues(api):
    billing, tech = QueueFactory(slug="billing"), QueueFactory(slug="tech")
    agent = AgentFactory(all_queues=False)
    agent.queues.add(billing)
    in_queue = TicketFactory(queue=billing)
    assigned_elsewhere = TicketFactory(queue=tech, assigned_agent=agent)
    TicketFactory(queue=tech)
    TicketFactory(queue=None)
    assert _ids(api(agent.user).get(URL)) == {str(in_queue.pk), str(assigned_elsewhere.pk)}


def test_manager_lists_every_ticket_and_can_filter(api, manager, queue):
    TicketFactory(queue=queue, status="open", priority="high")
    urgent = TicketFactory(queue=queue, status="in_progress", priority="urgent")
    TicketFactory(queue=None)
    assert len(_ids(api(manager).get(URL))) == 3
    assert _ids(api(manager).get(URL, {"status": "in_progress"})) == {str(urgent.pk)}
    assert _ids(api(manager).get(URL, {"priority": "urgent", "queue": "general"})) == {
        str(urgent.pk)
    }
    assert api(manager).get(URL, {"status": "bogus"}).status_code == 400


def test_list_is_paginated(api, customer):
    for _ in range(5):
        TicketFactory(customer=customer)
    response = api(customer).get(URL, {"page_size": 2})
    data = response.json()
    assert (data["count"], len(data["results"])) == (5, 2)
    assert data["next"] and data["previous"] is None
    assert api(customer).get(URL, {"page": 99}).status_code == 404


def test_list_does_not_query_per_ticket(api, manager, queue, django_assert_max_num_queries):
    agent = AgentFactory()
    for _ in range(10):
        TicketFactory(queue=queue, assigned_agent=agent)
    client = api(manager)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert len(response.json()["results"]) == 10
    assert response.json()["results"][0]["assigned_agent"] == {"id": agent.pk, "name": agent.name}


def test_detail_shows_the_ticket_to_its_customer(api, customer, ticket):
    response = api(customer).get(f"{URL}{ticket.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == str(ticket.pk)
    assert response.json()["queue"] == "general"


def test_routings_view_of_a_ticket_is_for_staff_only(api, customer, agent, ticket):
    """Issue #17: customers received `routing_reason` and `confidence` (and rule tags) through
    the API. The keys stay (the contract's shape); their values are staff-only."""
    ticket.routing_reason = "rule 'VIP churn risk' matched; classifier 0.41"
    ticket.confidence = 0.41
    ticket.tags = ["vip", "churn-risk"]
    ticket.save()
    seen_by_customer = [
        api(customer).get(f"{URL}{ticket.pk}/").json(),
        api(customer).get(URL).json()["results"][0],
    ]
    for data in seen_by_customer:
        assert (data["routing_reason"], data["confidence"], data["tags"]) == (None, None, [])
        assert "churn" not in json.dumps(data)
    staff = api(agent.user).get(f"{URL}{ticket.pk}/").json()
    assert staff["routing_reason"].startswith("rule 'VIP") and staff["confidence"] == 0.41
    assert staff["tags"] == ["vip", "churn-risk"]


@pytest.mark.parametrize("ticket_id", ["other", "missing", "not-a-uuid", "1", "%00"])
def test_detail_is_404_for_anything_not_yours(api, customer, other_customer, ticket_id):
    theirs = TicketFactory(customer=other_customer)
    ids = {"other": str(theirs.pk), "missing": str(uuid.uuid4())}
    response = api(customer).get(f"{URL}{ids.get(ticket_id, ticket_id)}/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert theirs.subject not in json.dumps(response.json())


def test_suggested_reply_is_for_agents_only(api, customer, agent, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(suggested_reply="Try clearing the cache.")
    assert "suggested_reply" not in api(customer).get(f"{URL}{ticket.pk}/").json()
    staff_view = api(agent.user).get(f"{URL}{ticket.pk}/").json()
    assert staff_view["suggested_reply"] == "Try clearing the cache."
    customer_list = api(customer).get(URL).json()["results"]
    assert "suggested_reply" not in customer_list[0]


def test_session_auth_works_for_the_browser(client, customer, ticket):
    client.force_login(customer)
    assert client.get(f"{URL}{ticket.pk}/").status_code == 200


def test_session_auth_writes_need_csrf(customer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    response = browser.post(URL, {"subject": "x", "body": "y"}, content_type="application/json")
    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_an_unknown_user_token_is_401(client):
    response = client.get(URL, HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_schema_and_docs_render(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in [
        "/api/v1/tickets/{ticket_id}/reassign/",
        "/api/webhooks/support/ingest",
        "/api/v1/agents/",
    ]:
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn.jsdelivr" not in page and "unpkg" not in page  # works offline
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_api_is_rate_limited(api, customer, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min"})
    client = api(customer)
    statuses = [client.get(URL).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get(URL)
    assert response.json()["error"] == "rate_limited"
    assert response.json()["retry_after"] > 0


def test_unsupported_method_is_405_json(api, customer, ticket):
    response = api(customer).delete(f"{URL}{ticket.pk}/")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_routes_answer_without_the_trailing_slash(api, customer, ticket):
    client = api(customer)
    created = client.post("/api/v1/tickets", {"subject": "s", "body": "b"}, format="json")
    assert created.status_code == 201
    assert client.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    reply = client.post(f"/api/v1/tickets/{ticket.pk}/comments", {"body": "hi"}, format="json")
    assert reply.status_code == 201


def test_idempotency_key_makes_retries_safe(api, customer, other_customer):
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-123"}
    data = {"subject": "Crash", "body": "On start"}
    first = api(customer).post(URL, data, format="json", **headers)
    again = api(customer).post(URL, data, format="json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    # the same key from another customer is their own, separate ticket
    theirs = api(other_customer).post(URL, data, format="json", **headers)
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    assert Ticket.objects.count() == 2
    assert api(customer).post(URL, data, format="json").status_code == 201
    assert Ticket.objects.count() == 3


@pytest.mark.parametrize("key", ["", "   ", "has space", "x" * 101, "é"])
def test_bad_idempotency_key_is_400(api, customer, key):
    response = api(customer).post(
        URL, {"subject": "s", "body": "b"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("prefix", ["app", "mail"])
def test_a_webhook_cannot_take_over_an_app_key_or_a_mail_id(api, customer, settings, prefix):
    """Issue #17: webhook ids and the help desk's own ids (app retry keys, Message-IDs) shared
    one namespace; a webhook posting `app:<user>:<key>` answered the customer's retry."""
    from .webhook_helpers import payload
    from .webhook_helpers import post as webhook_post

    settings.HELPDESK_INGEST_DEFERRED = False
    taken = f"app:{customer.pk}:retry-1" if prefix == "app" else "mail:<m1@mail.example>"
    hostile = webhook_post(
        Client(),
        payload(external_id=taken, customer_email=customer.email, subject="Reset at evil.example"),
    )
    assert hostile.status_code == 400
    assert "external_id" in hostile.json()["fields"]
    assert Ticket.objects.count() == 0
    mine = api(customer).post(
        URL, {"subject": "Crash", "body": "On start"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1"
    )
    assert mine.status_code == 201 and mine.json()["subject"] == "Crash"


def test_ordinary_webhook_ids_that_merely_contain_the_prefixes_still_work(client, settings):
    from .webhook_helpers import payload
    from .webhook_helpers import post as webhook_post

    for external_id in ("myapp:1:2", "email-msg-app:1", "App:1:2"):
        assert webhook_post(client, payload(external_id=external_id)).status_code == 201
