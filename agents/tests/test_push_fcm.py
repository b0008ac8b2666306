"""FCM HTTP v1 against local servers: google-auth's service-account flow at a local OAuth token
endpoint (its signed assertion verified with the account's public key), the bearer token and the
message FCM reads, the token reused and refreshed as it nears expiry, and dead registration
tokens forgotten on FCM's answer."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from agents.models import NotificationStatus, PushDevice
from agents.services.notifications import notification_deliver, notification_enqueue

pytestmark = pytest.mark.django_db

PROJECT, EMAIL = "helpdesk-demo", "push@helpdesk-demo.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


class Google:
    """The OAuth token endpoint (`/token`) and FCM (`/v1/projects/...`) on one local server.
    `lifetimes` scripts each minted token's `expires_in`, `answers` FCM's (status, headers, body)."""

    def __init__(self):
        self.assertions: list[str] = []
        self.sends: list[dict] = []
        self.lifetimes: list[int] = []
        self.token_refusals = 0
        self.answers: list[tuple[int, dict, dict]] = []
        google = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    status, reply = google.mint(urllib.parse.parse_qs(body.decode()))
                    headers: dict = {}
                else:
                    google.sends.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    status, headers, reply = (
                        google.answers.pop(0) if google.answers else (200, {}, {"name": "m/1"})
                    )
                payload = json.dumps(reply).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def mint(self, form: dict) -> tuple[int, dict]:
        assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
        self.assertions.append(form["assertion"][0])
        if self.token_refusals:
            self.token_refusals -= 1
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        lifetime = self.lifetimes.pop(0) if self.lifetimes else 3600
        token = f"ya29.local-{len(self.assertions)}"
        return 200, {"access_token": token, "expires_in": lifetime, "token_type": "Bearer"}

    def bearers(self) -> list[str]:
        return [s["headers"]["Authorization"] for s in self.sends]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def service_account(path, key, token_uri: str) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    account = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "key-1",
        "private_key": pem,
        "client_email": EMAIL,
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(account))


@pytest.fixture
def google(settings, tmp_path):
    server = Google()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server.public_key = key.public_key()
    path = tmp_path / "firebase-service-account.json"
    service_account(path, key, f"{server.url}/token")
    settings.HELPDESK_FCM_CREDENTIALS_FILE = str(path)
    settings.HELPDESK_FCM_PROJECT_ID = PROJECT
    settings.HELPDESK_FCM_URL = server.url
    settings.HELPDESK_FCM_TOKEN_URL = None
    settings.HELPDESK_NOTIFICATION_BACKOFF_SECONDS = 30
    yield server
    server.close()


@pytest.fixture
def phone(ticket):
    return PushDevice.objects.create(user=ticket.customer, platform="android", token="fcm-token-1")


def enqueue(ticket, dedupe="1"):
    [row] = notification_enqueue(
        event="ticket.reassigned",
        ticket=ticket,
        audience="customer",
        dedupe=dedupe,
        title="New agent",
        body="Sam is on it",
        data={"agent_id": 7, "note": None},
        backends={"fcm"},
    )
    return row


def test_a_push_reaches_fcm_with_a_token_minted_from_the_service_account(google, ticket, phone):
    row = enqueue(ticket)
    assert notification_deliver(notification_id=row.pk).sent

    [assertion] = google.assertions  # google-auth's signed request for an access token
    assert jwt.get_unverified_header(assertion)["kid"] == "key-1"
    # (google-auth names Google's token endpoint as the audience, wherever it posts)
    claims = jwt.decode(
        assertion,
        google.public_key,
        algorithms=["RS256"],
        audience="https://oauth2.googleapis.com/token",
    )
    assert claims["iss"] == EMAIL and claims["scope"] == SCOPE
    [send] = google.sends
    assert send["path"] == f"/v1/projects/{PROJECT}/messages:send"
    assert send["headers"]["Authorization"] == "Bearer ya29.local-1"
    assert json.loads(send["body"]) == {
        "message": {
            "token": "fcm-token-1",
            "notification": {"title": "New agent", "body": "Sam is on it"},
            "data": {
                "event": "ticket.reassigned",
                "ticket_id": str(ticket.pk),
                "agent_id": "7",
                "note": "",
            },
            "android": {"priority": "high", "collapse_key": f"ticket-{ticket.pk}"},
        }
    }


def test_the_access_token_serves_many_sends_and_is_refreshed_as_it_nears_expiry(
    google, ticket, phone
):
    google.lifetimes = [3600, 60, 3600]  # 60 s: inside google-auth's refresh margin at once
    for n in range(5):
        assert notification_deliver(notification_id=enqueue(ticket, str(n)).pk).sent
    assert google.bearers() == [
        "Bearer ya29.local-1",
        "Bearer ya29.local-1",  # an hour left: reused
        "Bearer ya29.local-1",
        "Bearer ya29.local-1",
        "Bearer ya29.local-1",
    ]
    assert len(google.assertions) == 1


def test_a_token_about_to_expire_is_minted_again_before_the_send(google, ticket, phone):
    google.lifetimes = [60, 3600]
    for n in range(3):
        assert notification_deliver(notification_id=enqueue(ticket, str(n)).pk).sent
    assert google.bearers() == [
        "Bearer ya29.local-1",
        "Bearer ya29.local-2",  # the first had a minute left: refreshed, not sent to expire
        "Bearer ya29.local-2",
    ]


def test_a_token_fcm_refuses_is_minted_again_for_the_retry(google, ticket, phone):
    google.answers = [(401, {}, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})]
    row = enqueue(ticket)
    assert notification_deliver(notification_id=row.pk).retry_in is not None
    assert notification_deliver(notification_id=row.pk).sent
    assert google.bearers() == ["Bearer ya29.local-1", "Bearer ya29.local-2"]


def fcm_error(status: int, rpc: str, message: str, code: str, **extra) -> tuple[int, dict, dict]:
    details: list[dict] = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError"}]
    if code:
        details[0]["errorCode"] = code
    details += extra.get("details", [])
    body = {"error": {"code": status, "message": message, "status": rpc, "details": details}}
    return status, {}, body


@pytest.mark.parametrize(
    "answer",
    [
        fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"),
        fcm_error(
            400,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            "INVALID_ARGUMENT",
        ),
    ],
    ids=["unregistered", "invalid-token"],
)
def test_a_dead_registration_token_is_forgotten_and_not_retried(
    google, ticket, phone, other_customer, answer
):
    PushDevice.objects.create(user=other_customer, platform="android", token="live-phone")
    first, second = enqueue(ticket, "1"), enqueue(ticket, "2")
    google.answers = [answer]

    result = notification_deliver(notification_id=first.pk)

    assert (result.sent, result.retry_in) == (False, None)
    assert list(PushDevice.objects.values_list("token", flat=True)) == ["live-phone"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == NotificationStatus.FAILED
    assert len(google.sends) == 1


def test_a_refused_payload_fails_without_forgetting_the_device(google, ticket, phone):
    violation = {
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{"field": "message.data[0].value", "description": "Invalid value"}],
    }
    google.answers = [
        fcm_error(400, "INVALID_ARGUMENT", "Invalid value", "INVALID_ARGUMENT", details=[violation])
    ]
    row = enqueue(ticket)
    assert notification_deliver(notification_id=row.pk).retry_in is None
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and "INVALID_ARGUMENT" in row.last_error
    assert PushDevice.objects.filter(pk=phone.pk).exists()


def test_a_busy_fcm_is_retried_no_sooner_than_its_retry_after(google, ticket, phone):
    google.answers = [
        (
            429,
            {"Retry-After": "120"},
            fcm_error(429, "RESOURCE_EXHAUSTED", "", "QUOTA_EXCEEDED")[2],
        ),
        fcm_error(503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE"),
    ]
    row = enqueue(ticket)
    assert notification_deliver(notification_id=row.pk).retry_in == 120
    assert notification_deliver(notification_id=row.pk).retry_in == 60
    assert notification_deliver(notification_id=row.pk).sent
    assert PushDevice.objects.filter(pk=phone.pk).exists()


def test_token_url_and_project_can_come_from_settings_and_the_file(
    google, ticket, phone, settings, tmp_path
):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "elsewhere.json"
    service_account(path, key, "http://127.0.0.1:9/nothing-listens")
    settings.HELPDESK_FCM_CREDENTIALS_FILE = str(path)
    settings.HELPDESK_FCM_TOKEN_URL = f"{google.url}/token"
    settings.HELPDESK_FCM_PROJECT_ID = None  # read from the service account

    assert notification_deliver(notification_id=enqueue(ticket).pk).sent
    assert google.sends[0]["path"] == f"/v1/projects/{PROJECT}/messages:send"


def test_a_token_endpoint_refusing_is_a_retry_that_says_why(google, ticket, phone):
    google.token_refusals = 1
    row = enqueue(ticket)
    assert notification_deliver(notification_id=row.pk).retry_in is not None
    row.refresh_from_db()
    assert "invalid_grant" in row.last_error and google.sends == []
    assert notification_deliver(notification_id=row.pk).sent
