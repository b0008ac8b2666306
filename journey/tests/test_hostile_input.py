"""Hostile payloads on the JSON API and the webhook (issue #17, "Hostile input"): oversized,
deeply nested, wrongly encoded, NUL bytes, numbers JSON allows and PostgreSQL does not, and
addresses and versions at their edges. Each is a clear 4xx or a clean ticket, never a 500.
(The webhook's basic cases are in test_webhooks.py; random values in test_api_fuzz.py.)"""

import json

import pytest

from routing.rules import matches, parse
from tickets.models import Ticket

from .webhook_helpers import assert_nothing_stored, payload, post, post_raw

pytestmark = pytest.mark.django_db
TICKETS = "/api/v1/tickets/"
ERROR_KEYS = {"error", "detail", "fields"}


def api_post(client, raw: bytes, content_type="application/json"):
    return client.generic("POST", TICKETS, raw, content_type=content_type)


def create(subject="s", body="b", **context) -> bytes:
    return json.dumps({"subject": subject, "body": body, "context": context}).encode()


# --- the JSON API: what the body is made of -------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"[" * 50_000 + b"]" * 50_000, "application/json", 400),
        (b'{"subject": ' * 5_000 + b'"x"' + b"}" * 5_000, "application/json", 400),
        (b'{"subject": "caf\xe9", "body": "b"}', "application/json", 400),  # latin-1
        ('{"subject": "s", "body": "b"}'.encode("utf-16"), "application/json", 400),
        (b'{"subject": "a\x00b", "body": "b"}', "application/json", 400),  # raw NUL: not JSON
        (b'{"subject": "s", "body": "b", "context": {"previous_tickets_count": 1e999}}', None, 400),
        (b'{"subject": "s", "body": 1e999}', "application/json", 400),
        (
            b'{"subject": "s", "body": "b", "context": {"session_events": [{"a": -1e999}]}}',
            None,
            400,
        ),
        (b'{"subject": "s", "body": "b"}', "text/plain", 415),
        (b'{"subject": "s", "body": "b"}', "application/x-www-form-urlencoded", 415),
    ],
    ids=[
        "deep-array",
        "deep-object",
        "latin-1",
        "utf-16",
        "raw-nul",
        "huge-number-in-context",
        "huge-number-as-body",
        "huge-number-in-an-event",
        "text-plain",
        "form-urlencoded",
    ],
)
def test_the_api_refuses_hostile_bodies_with_a_clear_error(
    api, customer, raw, content_type, status
):
    response = api_post(api(customer), raw, content_type or "application/json")
    assert response.status_code == status, response.content
    assert set(response.json()) >= ERROR_KEYS
    assert not Ticket.objects.exists()


def test_the_api_refuses_a_body_over_its_limit_before_reading_it(api, customer, settings):
    settings.HELPDESK_API_MAX_BYTES = 10_000
    big = create(body="x" * 20_000)
    response = api_post(api(customer), big)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert not Ticket.objects.exists()


def test_escaped_nuls_and_surrogates_are_dropped_and_the_ticket_stored(api, customer):
    raw = b'{"subject": "Pay\\u0000ment \\ud800fails", "body": "It\\u0000 fails \\udfff.",'
    raw += b' "context": {"last_screen": "pay\\u0000", "session_events": ["tap\\u0000", {"k\\u0000": "\\ud800"}]}}'
    response = api_post(api(customer), raw)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.body) == ("Payment fails", "It fails .")
    assert "\x00" not in json.dumps(ticket.context)


def test_a_utf8_bom_is_accepted(api, customer):
    response = api_post(api(customer), b"\xef\xbb\xbf" + create())
    assert response.status_code == 201, response.content


# --- the webhook: encodings and numbers ---------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(payload()).encode("utf-16"),
        json.dumps(payload(subject="café"), ensure_ascii=False).encode("latin-1"),
        json.dumps(payload()).encode().replace(b'"email"', b'"em\x00ail"'),
        json.dumps(payload()).encode()[:-1] + b', "context": {"previous_tickets_count": 1e999}}',
        json.dumps(payload()).encode()[:-1] + b', "account": {"mrr": 1e999}}',
        json.dumps(payload()).encode()[:-1] + b', "account": {"mrr": 1e400, "plan": "x"}}',
        json.dumps(payload()).encode()[:-1] + b', "context": {"session_events": [{"a": 1e999}]}}',
    ],
    ids=["utf-16", "latin-1", "raw-nul", "inf-count", "inf-mrr", "huge-mrr", "inf-in-an-event"],
)
def test_the_webhook_refuses_wrong_encodings_and_numbers_postgres_cannot_keep(client, raw):
    response = post_raw(client, raw)
    assert response.status_code == 400, response.content
    assert set(response.json()) >= ERROR_KEYS
    assert_nothing_stored()


def test_a_session_event_nested_500_deep_is_cut_to_five_levels_and_stored(client):
    deep: object = "leaf"
    for _ in range(500):
        deep = {"k": deep}
    response = post(client, payload(context={"session_events": [deep]}))
    assert response.status_code == 201, response.content
    [event] = Ticket.objects.get().context["session_events"]
    assert json.dumps(event) == '{"k": {"k": {"k": {"k": {"k": {"k": null}}}}}}'


# --- addresses at their edges ---------------------------------------------------------------


def _address(length: int) -> str:
    """An address of `length` characters: the longest local part (64), labels of at most 63."""
    last = length - 64 - 1 - (63 + 1 + 63 + 1) - len(".com")
    return "u" * 64 + "@" + "d" * 63 + "." + "e" * 63 + "." + "f" * last + ".com"


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("User@Example.COM", "user@example.com"),
        ("  user@example.com  ", "user@example.com"),
        ("user@bücher.example", "user@bücher.example"),
        ("user@example.com\x00", "user@example.com"),  # dropped, as in every text field
        ("user@xn--bcher-kva.example", "user@xn--bcher-kva.example"),
        ("user+tag@example.com", "user+tag@example.com"),
        ("u" * 64 + "@example.com", "u" * 64 + "@example.com"),
    ],
    ids=["case", "spaces", "idn", "nul", "punycode", "plus", "local-part-64"],
)
def test_addresses_at_their_edges_are_kept_as_one_address(client, address, stored):
    response = post(client, payload(customer_email=address))
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().customer_email == stored


def test_an_address_of_254_characters_is_kept_and_255_is_a_400(client):
    ok = _address(254)
    assert len(ok) == 254
    response = post(client, payload(customer_email=ok))
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().customer_email == ok
    response = post(client, payload(external_id="other", customer_email=_address(255)))
    assert response.status_code == 400
    assert "customer_email" in response.json()["fields"]


@pytest.mark.parametrize(
    "address",
    [
        "u" * 65 + "@example.com",
        "a@b",
        "a@-example.com",
        "user@exa mple.com",
        "@example.com",
        "jörg@example.com",
        "user@example.com\nBcc: x@y.z",
        "=cmd|' /C calc'!A0",
    ],
    ids=[
        "local-part-65",
        "no-dot",
        "leading-hyphen",
        "space",
        "no-local",
        "non-ascii-local",
        "header-injection",
        "formula",
    ],
)
def test_addresses_past_their_edges_are_a_400_naming_the_field(client, address):
    response = post(client, payload(customer_email=address))
    assert response.status_code == 400, (address, response.content)
    assert "customer_email" in response.json()["fields"]
    assert_nothing_stored()


def test_an_api_customer_with_a_254_character_address_opens_a_ticket(api):
    from tickets.tests.factories import UserFactory

    address = _address(254)
    user = UserFactory(username=address[:150], email=address)
    response = api_post(api(user), create())
    assert response.status_code == 201, response.content


# --- app versions at their edges ------------------------------------------------------------

VERSIONS = ["3", "3.0.0.0.1", "v3", "", "9" * 64, "3." * 31 + "3", "-1", "3.x", "\u0663"]


@pytest.mark.parametrize("version", VERSIONS)
def test_any_app_version_is_stored_and_routed_without_error(client, version):
    response = post(client, payload(context={"platform": "ios", "app_version": version}))
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.context.get("app_version", "") == version
    facts = {"app_version": version}
    for rule in ["app_version < 3.0", "app_version >= 3", "app_version = 3", "app_version != 3"]:
        matches(parse(rule), facts)


def test_a_version_over_its_length_is_a_400(client):
    response = post(client, payload(context={"app_version": "9" * 65}))
    assert response.status_code == 400
    assert "context" in response.json()["fields"]


def test_versions_compare_the_way_people_read_them_at_their_edges():
    older = parse("app_version < 3.0")
    assert not matches(older, {"app_version": "3"})
    assert not matches(older, {"app_version": "v3"})
    assert not matches(older, {"app_version": "3.0.0.0.1"})
    assert matches(older, {"app_version": "2.99999999999999999999"})
    assert not matches(older, {"app_version": "9" * 64})
    assert not matches(older, {"app_version": ""})  # no version is not an old version
    assert not matches(older, {"app_version": "3.x"}) or matches(older, {"app_version": "3.x"})
