"""APNs against a local HTTP/2 server over TLS: the provider JWT (ES256, verified with the key's
public half), the headers and payload Apple reads, one connection for many sends, the token's
refresh before its hour is up, and dead device tokens forgotten on Apple's answer."""

import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from agents.models import Notification, NotificationStatus, PushDevice
from agents.notifications.apns import APNsBackend
from agents.notifications.base import DeliveryError, Message, PermanentDeliveryError
from agents.services.notifications import notification_deliver, notification_enqueue

from .h2server import H2Server

pytestmark = pytest.mark.django_db

KEY_ID, TEAM_ID, TOPIC = "ABC123DEFG", "DEF123GHIJ", "com.example.helpdesk"


@pytest.fixture
def apns(settings, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    key_path = tmp_path / f"AuthKey_{KEY_ID}.p8"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = H2Server(tmp_path)
    server.public_key = key.public_key()
    settings.HELPDESK_APNS_URL = server.url
    settings.HELPDESK_APNS_CA_FILE = str(server.ca_file)
    settings.HELPDESK_APNS_TOPIC = TOPIC
    settings.HELPDESK_APNS_KEY_PATH = str(key_path)
    settings.HELPDESK_APNS_KEY_ID = KEY_ID
    settings.HELPDESK_APNS_TEAM_ID = TEAM_ID
    yield server
    server.close()


def enqueue(ticket, dedupe="1"):
    rows = notification_enqueue(
        event="ticket.reply",
        ticket=ticket,
        audience="customer",
        dedupe=dedupe,
        title="Re: Password reset",
        body="Here is the fix.",
        data={"comment_id": 7},
        backends={"apns"},
    )
    return rows


def provider_claims(server, request) -> tuple[dict, dict]:
    scheme, token = request["headers"]["authorization"].split(" ")
    assert scheme == "bearer"
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, server.public_key, algorithms=["ES256"])
    return header, claims


def test_a_push_reaches_apns_over_http2_with_a_signed_provider_token(apns, ticket):
    PushDevice.objects.create(user=ticket.customer, platform="ios", token="a1b2c3d4")
    [row] = enqueue(ticket)

    before = int(time.time())
    assert notification_deliver(notification_id=row.pk).sent
    [request] = apns.requests
    headers = request["headers"]
    assert request["alpn"] == "h2"
    assert (headers[":method"], headers[":scheme"]) == ("POST", "https")
    assert headers[":path"] == "/3/device/a1b2c3d4"
    assert headers["apns-topic"] == TOPIC
    assert (headers["apns-push-type"], headers["apns-priority"]) == ("alert", "10")
    assert headers["apns-collapse-id"] == f"ticket-{ticket.pk}"
    assert uuid.UUID(headers["apns-id"]) == uuid.uuid5(uuid.NAMESPACE_URL, row.key)
    assert before + 86400 <= int(headers["apns-expiration"]) <= int(time.time()) + 86400
    header, claims = provider_claims(apns, request)
    assert (header["alg"], header["kid"]) == ("ES256", KEY_ID)
    assert claims["iss"] == TEAM_ID and before <= claims["iat"] <= time.time()
    assert apns.json() == {
        "aps": {
            "alert": {"title": "Re: Password reset", "body": "Here is the fix."},
            "sound": "default",
            "thread-id": f"ticket-{ticket.pk}",
        },
        "event": "ticket.reply",
        "ticket_id": str(ticket.pk),
    }
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 1)


def message(n: int) -> Message:
    return Message(
        key=f"apns:test:{n}", event="ticket.reply", recipient="a1b2c3d4", title="t", body="b",
        ticket_id="42",
    )  # fmt: skip


def test_one_provider_token_serves_many_sends_until_it_is_refreshed_before_the_hour(apns):
    now = [time.time() - 7200]  # the backend's clock; iat stays in the past for jwt.decode
    backend = APNsBackend(clock=lambda: now[0])

    backend.send(message(1))
    now[0] += 60
    backend.send(message(2))
    now[0] += 48 * 60  # 49 minutes after minting: still the same token
    backend.send(message(3))
    now[0] += 2 * 60  # 51 minutes: a new one, before Apple's 60 would refuse it
    backend.send(message(4))

    tokens = [r["headers"]["authorization"] for r in apns.requests]
    assert tokens[0] == tokens[1] == tokens[2] != tokens[3]
    first, last = (provider_claims(apns, apns.requests[i])[1] for i in (0, 3))
    assert last["iat"] - first["iat"] == 51 * 60
    assert apns.connections == 1  # one HTTP/2 connection, kept open, carried all four
    assert {r["alpn"] for r in apns.requests} == {"h2"}


def test_a_token_apns_calls_expired_is_minted_again_and_the_send_retried(apns, ticket):
    now = [time.time() - 7200]
    backend = APNsBackend(clock=lambda: now[0])
    apns.answers = [(403, {}, b'{"reason":"ExpiredProviderToken"}')]
    with pytest.raises(DeliveryError, match="ExpiredProviderToken") as raised:
        backend.send(message(1))
    assert not isinstance(raised.value, PermanentDeliveryError)  # retried later, not given up
    now[0] += 1
    backend.send(message(1))
    first, second = (r["headers"]["authorization"] for r in apns.requests)
    assert first != second


@pytest.mark.parametrize(
    "status, reason", [(410, "Unregistered"), (400, "BadDeviceToken"), (410, "ExpiredToken")]
)
def test_a_dead_device_token_is_forgotten_and_not_retried(
    apns, ticket, other_customer, status, reason
):
    PushDevice.objects.create(user=ticket.customer, platform="ios", token="dead-phone")
    PushDevice.objects.create(user=other_customer, platform="ios", token="live-phone")
    first, second = enqueue(ticket, "1")[0], enqueue(ticket, "2")[0]
    body = json.dumps({"reason": reason, "timestamp": int(time.time() * 1000)}).encode()
    apns.answers = [(status, {"content-type": "application/json"}, body)]

    result = notification_deliver(notification_id=first.pk)

    assert (result.sent, result.retry_in) == (False, None)
    assert list(PushDevice.objects.values_list("token", flat=True)) == ["live-phone"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == NotificationStatus.FAILED and reason in first.last_error
    assert second.status == NotificationStatus.FAILED  # not sent to Apple to hear it again
    assert len(apns.requests) == 1


def test_a_busy_apns_is_retried_no_sooner_than_its_retry_after(apns, ticket, settings):
    settings.HELPDESK_NOTIFICATION_BACKOFF_SECONDS = 30
    PushDevice.objects.create(user=ticket.customer, platform="ios", token="a1b2c3d4")
    [row] = enqueue(ticket)
    apns.answers = [
        (429, {"retry-after": "600"}, b'{"reason":"TooManyRequests"}'),
        (503, {}, b'{"reason":"ServiceUnavailable"}'),
    ]

    assert notification_deliver(notification_id=row.pk).retry_in == 600
    assert notification_deliver(notification_id=row.pk).retry_in == 60  # backoff: 30, 60, ...
    assert notification_deliver(notification_id=row.pk).sent
    assert PushDevice.objects.filter(token="a1b2c3d4").exists()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 3)


def test_a_refused_payload_fails_without_forgetting_the_device(apns, ticket):
    PushDevice.objects.create(user=ticket.customer, platform="ios", token="a1b2c3d4")
    [row] = enqueue(ticket)
    apns.answers = [(400, {}, b'{"reason":"TopicDisallowed"}')]

    assert notification_deliver(notification_id=row.pk).retry_in is None
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and "TopicDisallowed" in row.last_error
    assert PushDevice.objects.filter(token="a1b2c3d4").exists()


def test_a_missing_key_is_a_retry_that_says_what_is_missing(apns, ticket, settings):
    settings.HELPDESK_APNS_KEY_PATH = str(apns.ca_file.parent / "AuthKey_missing.p8")
    PushDevice.objects.create(user=ticket.customer, platform="ios", token="a1b2c3d4")
    [row] = enqueue(ticket)

    assert notification_deliver(notification_id=row.pk).retry_in is not None
    row.refresh_from_db()
    assert "AuthKey_missing.p8" in row.last_error and row.status == NotificationStatus.PENDING
    assert Notification.objects.count() == 1 and apns.requests == []
