"""The ingestion webhook: signature, size, media type, validation, normalisation, idempotency."""

import json
import time

import pytest
from django.core.cache import cache
from django.test import Client

from agents.tests.factories import AgentFactory
from core.roles import managers_group
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import UserFactory

from .webhook_helpers import (
    assert_nothing_stored,
    payload,
    post,
    post_raw,
    sign,
    sign_timed,
)

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"error", "detail", "fields"}


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # integrations have no CSRF token


def test_new_ticket_is_201_with_id_status_and_time(client):
    response = post(client, payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"ticket_id", "status", "created_at"}
    ticket = Ticket.objects.get()
    assert body["ticket_id"] == str(ticket.pk)
    assert body["status"] == ticket.status
    assert ticket.external_id == "email-msg-abc123"
    assert ticket.channel == "email"
    assert ticket.context == {"platform": "ios", "app_version": "2.9.1", "locale": "de_DE"}
    assert ticket.language == "de"
    assert TicketEvent.objects.filter(ticket=ticket, kind="created").count() == 1


def test_the_answer_has_the_documented_schema_for_new_and_repeated_tickets(client, settings):
    """The answer is built without the serializer; it must stay what the schema says."""
    from journey.webhooks import IngestWebhookApi

    for deferred in (True, False):
        settings.HELPDESK_INGEST_DEFERRED = deferred
        external_id = f"schema-{deferred}"
        for expected in (201, 200):
            response = post(client, payload(external_id=external_id))
            assert response.status_code == expected
            ticket = Ticket.objects.get(external_id=external_id)
            assert response.json() == IngestWebhookApi.OutputSerializer(ticket).data


def test_an_integration_asking_for_html_still_gets_json(client):
    response = post(client, payload(), HTTP_ACCEPT="text/html")
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    bad = post(client, payload(external_id=""), HTTP_ACCEPT="text/html")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
    assert "external_id" in bad.json()["fields"]


def test_repeat_external_id_is_200_with_the_same_ticket(client):
    first = post(client, payload())
    again = post(client, payload(subject="A different subject this time"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ticket_id"] == first.json()["ticket_id"]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().subject == "Cannot access my dashboard"


def test_channel_defaults_to_webhook_and_context_is_optional(client):
    response = post(client, payload(channel=..., context=...))
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.context, ticket.language) == ("webhook", {}, "")


def test_fields_are_normalised(client, settings):
    settings.HELPDESK_MAX_BODY = 100
    response = post(
        client,
        payload(
            external_id="  ext-1  ",
            customer_email="  User@Example.COM ",
            subject="  " + "Long subject " * 40,
            body="  " + "word " * 100,
        ),
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.external_id == "ext-1"
    assert ticket.customer_email == "user@example.com"
    assert len(ticket.subject) == 255 and ticket.subject.startswith("Long subject Long")
    assert ticket.subject.endswith("…")
    assert len(ticket.body) <= 100 and ticket.body.startswith("word word")


def test_html_body_becomes_text(client):
    html = (
        "<html><head><style>p {color: red}</style></head><body><p>Hello&nbsp;team,</p>"
        "<p>My <b>invoice</b> is wrong &amp; late.<br>Thanks</p>"
        "<script>alert('x')</script><ul><li>one</li><li>two</li></ul></body></html>"
    )
    assert post(client, payload(body=html, subject="<b>Invoice</b> problem")).status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.subject == "Invoice problem"
    assert "<" not in ticket.body and "alert" not in ticket.body and "color" not in ticket.body
    assert "Hello team," in ticket.body
    assert "My invoice is wrong & late.\nThanks" in ticket.body
    assert "- one" in ticket.body and "- two" in ticket.body


def test_plain_text_with_angle_brackets_is_kept(client):
    assert post(client, payload(body="if a < b and c > d then 2<3")).status_code == 201
    assert Ticket.objects.get().body == "if a < b and c > d then 2<3"


def test_characters_postgres_cannot_store_are_dropped_not_a_500(client):
    raw = (
        b'{"external_id": "nul-1", "customer_email": "a@example.com", '
        b'"subject": "Hi\\u0000 there", "body": "lone \\ud800 surrogate\\u0000", '
        b'"context": {"last_screen": "x\\u0000y", "session_events": ["a\\u0000", {"k\\u0000": "\\udfff"}]}}'
    )
    response = post_raw(client, raw)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.subject == "Hi there"
    assert ticket.body == "lone  surrogate"
    assert ticket.context == {"last_screen": "xy", "session_events": ["a", {"k": ""}]}


@pytest.mark.parametrize("deferred", [True, False], ids=["deferred-intake", "inline-intake"])
def test_links_an_existing_customer_with_that_email(
    client, api, settings, django_capture_on_commit_callbacks, deferred
):
    settings.HELPDESK_INGEST_DEFERRED = deferred
    customer = UserFactory(username="carol", email="Carol@Example.com")
    with django_capture_on_commit_callbacks(execute=True):  # deferred: the worker links it
        response = post(client, payload(customer_email="carol@example.com"))
    ticket = Ticket.objects.get()
    assert ticket.customer == customer
    assert not ticket.intake_pending
    seen = api(customer).get(f"/api/v1/tickets/{response.json()['ticket_id']}/")
    assert seen.status_code == 200


@pytest.mark.parametrize("kind", ["agent", "manager", "superuser", "staff"])
def test_never_links_a_staff_account(client, kind, django_capture_on_commit_callbacks):
    user = UserFactory(username=f"{kind}-x", email="boss@example.com")
    if kind == "agent":
        AgentFactory(user=user)
    elif kind == "manager":
        user.groups.add(managers_group())
    elif kind == "superuser":
        user.is_superuser = True
        user.save()
    else:
        user.is_staff = True
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, payload(customer_email="boss@example.com")).status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.events.filter(kind="routed").exists()  # the intake ran
    assert ticket.customer is None
    assert ticket.customer_email == "boss@example.com"


# --- 401: the signature -------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        "sha1=abc",
        "not-a-signature",
        "sha256=zz\u00e9",
        sign(b"another body"),
        sign(json.dumps(payload()).encode(), secret="the-wrong-secret"),
    ],
    ids=[
        "missing",
        "empty",
        "no-hex",
        "zeros",
        "sha1",
        "garbage",
        "non-ascii",
        "other-body",
        "bad-secret",
    ],
)
def test_missing_or_wrong_signature_is_401(client, signature):
    response = post(client, payload(), signature=signature)
    assert response.status_code == 401
    assert set(response.json()) >= ERROR_KEYS
    assert response.json()["error"] == "unauthenticated"
    assert_nothing_stored()


def test_signature_hex_case_does_not_matter(client):
    raw = json.dumps(payload()).encode()
    assert post_raw(client, raw, signature=sign(raw).upper()).status_code == 201


def test_signature_must_cover_the_exact_raw_bytes(client):
    raw = json.dumps(payload()).encode()
    reformatted = json.dumps(payload(), indent=2).encode()
    assert post_raw(client, reformatted, signature=sign(raw)).status_code == 401
    assert_nothing_stored()


# --- the timestamped signature and its replay window (issue #17) ---------------------------


def post_timed(client, data, *, timestamp, signed_at=None, **kwargs):
    raw = json.dumps(data).encode()
    signature = sign_timed(raw, timestamp if signed_at is None else signed_at)
    return post_raw(
        client, raw, signature=signature, HTTP_X_HELPDESK_TIMESTAMP=str(timestamp), **kwargs
    )


def test_a_timestamped_signature_is_accepted(client):
    response = post_timed(client, payload(), timestamp=int(time.time()))
    assert response.status_code == 201, response.content


def test_a_timestamped_post_of_the_mail_webhook_is_accepted(client):
    from .test_mail_in import raw_mail

    raw = raw_mail()
    now = int(time.time())
    response = client.generic(
        "POST",
        "/api/webhooks/email/inbound",
        raw,
        content_type="message/rfc822",
        HTTP_X_HELPDESK_SIGNATURE=sign_timed(raw, now),
        HTTP_X_HELPDESK_TIMESTAMP=str(now),
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("age", [301, -301, 30 * 24 * 3600])
def test_a_timestamp_outside_the_replay_window_is_401(client, age):
    response = post_timed(client, payload(), timestamp=int(time.time()) - age)
    assert response.status_code == 401
    assert "replay window" in response.json()["detail"]
    assert_nothing_stored()


def test_the_replay_window_is_a_setting(client, settings):
    settings.HELPDESK_WEBHOOK_TOLERANCE_SECONDS = 3600
    assert post_timed(client, payload(), timestamp=int(time.time()) - 1800).status_code == 201


@pytest.mark.parametrize("timestamp", ["", "soon", "1.5", "-5", "99999999999999999999"])
def test_a_timestamp_that_is_not_unix_seconds_is_401(client, timestamp):
    response = post_timed(client, payload(), timestamp=timestamp)
    assert response.status_code == 401
    assert_nothing_stored()


def test_the_timestamp_is_part_of_what_is_signed(client):
    now = int(time.time())
    response = post_timed(client, payload(), timestamp=now, signed_at=now - 1)
    assert response.status_code == 401
    raw = json.dumps(payload()).encode()  # the body-only signature sent with a timestamp
    response = post_raw(client, raw, signature=sign(raw), HTTP_X_HELPDESK_TIMESTAMP=str(now))
    assert response.status_code == 401
    assert_nothing_stored()


def test_untimed_signatures_are_refused_when_the_setting_is_off(client, settings):
    settings.HELPDESK_WEBHOOK_ALLOW_UNTIMED = False
    response = post(client, payload())
    assert response.status_code == 401
    assert "X-Helpdesk-Timestamp is required" in response.json()["detail"]
    assert post_timed(client, payload(), timestamp=int(time.time())).status_code == 201


# --- 413 / 415 ------------------------------------------------------------------------------


def test_body_over_the_limit_is_413(client, settings):
    settings.HELPDESK_WEBHOOK_MAX_BYTES = 1000
    response = post(client, payload(body="x" * 2000))
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert_nothing_stored()


def test_declared_length_over_the_limit_is_413_before_reading(client, settings):
    settings.HELPDESK_WEBHOOK_MAX_BYTES = 1000
    response = post(client, payload(), CONTENT_LENGTH="10000000")
    assert response.status_code == 413
    assert_nothing_stored()


def test_body_at_the_limit_is_accepted(client, settings):
    raw = json.dumps(payload()).encode()
    settings.HELPDESK_WEBHOOK_MAX_BYTES = len(raw)
    assert post_raw(client, raw).status_code == 201


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "",
    ],
)
def test_non_json_content_type_is_415(client, content_type):
    response = post(client, payload(), content_type=content_type)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert_nothing_stored()


def test_json_with_charset_is_accepted(client):
    response = post(client, payload(), content_type="application/json; charset=utf-8")
    assert response.status_code == 201


# --- 400: malformed JSON and invalid fields ------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"  ",
        b"{",
        b"{'a': 1}",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"\xff\xfe\x00bad",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["blank", "truncated", "single-quotes", "nan", "infinity", "not-utf8", "deep-nesting"],
)
def test_malformed_json_is_400(client, settings, raw):
    settings.HELPDESK_WEBHOOK_MAX_BYTES = 1_000_000
    response = post_raw(client, raw)
    assert response.status_code == 400
    assert set(response.json()) >= ERROR_KEYS
    assert_nothing_stored()


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"42", b"null"])
def test_json_that_is_not_an_object_is_400(client, raw):
    response = post_raw(client, raw)
    assert response.status_code == 400
    assert response.json()["fields"]
    assert_nothing_stored()


BAD_FIELDS = [
    ({"external_id": ...}, "external_id"),
    ({"external_id": "   "}, "external_id"),
    ({"external_id": "\u0000"}, "external_id"),
    ({"external_id": "x" * 256}, "external_id"),
    ({"external_id": {"a": 1}}, "external_id"),
    ({"customer_email": ...}, "customer_email"),
    ({"customer_email": "not-an-email"}, "customer_email"),
    ({"customer_email": "a@b@c.com"}, "customer_email"),
    ({"customer_email": 5}, "customer_email"),
    ({"subject": ...}, "subject"),
    ({"subject": "   "}, "subject"),
    ({"subject": "<p> </p>"}, "subject"),
    ({"subject": ["a list"]}, "subject"),
    ({"subject": None}, "subject"),
    ({"body": ...}, "body"),
    ({"body": ""}, "body"),
    ({"body": "<div><br></div>"}, "body"),
    ({"body": {"html": "x"}}, "body"),
    ({"channel": "fax"}, "channel"),
    ({"channel": 3}, "channel"),
    ({"context": "ios"}, "context"),
    ({"context": [1, 2]}, "context"),
    ({"context": {"platform": {"os": "ios"}}}, "context"),
    ({"context": {"session_events": "tap"}}, "context"),
    ({"context": {"session_events": ["e"] * 21}}, "context"),
    ({"context": {"session_events": [1, 2]}}, "context"),
    ({"context": {"session_events": ["x" * 501]}}, "context"),
    ({"context": {"previous_tickets_count": -1}}, "context"),
    ({"context": {"previous_tickets_count": "many"}}, "context"),
    ({"context": {"locale": "x" * 36}}, "context"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_FIELDS)
def test_invalid_field_is_400_naming_the_field(client, overrides, field):
    response = post(client, payload(**overrides))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid"
    assert field in body["fields"], body
    assert_nothing_stored()


def test_every_invalid_field_is_reported_at_once(client):
    response = post(client, {"channel": "fax", "customer_email": "nope"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {
        "external_id",
        "channel",
        "customer_email",
        "subject",
        "body",
    }


def test_one_request_s_errors_never_leak_into_the_next(client):
    # The webhook's input serializer shares its bound fields between requests of a thread.
    first = post(client, payload(subject="", context={"previous_tickets_count": -1}))
    assert set(first.json()["fields"]) == {"subject", "context"}
    second = post(client, payload(customer_email="nope"))
    assert set(second.json()["fields"]) == {"customer_email"}
    good = post(client, payload(subject="  Fine  ", context={"platform": "web"}))
    assert good.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.context) == ("Fine", {"platform": "web"})
    assert post(client, payload(external_id="other", body="")).json()["fields"].keys() == {"body"}


def test_context_keeps_known_fields_and_drops_unknown_ones(client):
    context = {
        "platform": "android",
        "app_version": "3.0",
        "os_version": "14",
        "last_screen": "Pay",
        "session_events": ["open", {"screen": "Pay", "ms": 120}],
        "locale": "pt-BR",
        "previous_tickets_count": 2,
        "user_id": 991,
        "password": "secret",
    }
    assert post(client, payload(context=context)).status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.context == {
        **{k: v for k, v in context.items() if k != "password"},
        "user_id": "991",
    }
    assert ticket.language == "pt"
