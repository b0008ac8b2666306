"""Firebase Cloud Messaging, HTTP v1 API, authorised by a service account.

The OAuth 2 access token is minted by google-auth from the service-account JSON (a JWT signed
with the account's RSA key, exchanged at the account's `token_uri`) and kept until shortly before
it expires (google-auth refreshes one with less than about four minutes left); a 401 from FCM
drops it so the next try mints a new one. The send goes through httpx, the token exchange through
google-auth's urllib3 transport. Dead registration tokens (404 UNREGISTERED, 400
INVALID_ARGUMENT naming the token) come back as `RecipientGoneError`; the outbox then forgets the
device."""

import threading

import google.auth.exceptions
import httpx2
import urllib3
from django.conf import settings
from google.auth.transport.urllib3 import Request as AuthRequest
from google.oauth2 import service_account

from .base import (
    Audience,
    Backend,
    DeliveryError,
    Message,
    PermanentDeliveryError,
    RecipientGoneError,
    json_body,
    retry_after_seconds,
)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


def _strings(data: dict) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def fcm_payload(message: Message) -> dict:
    data = _strings({"event": message.event, "ticket_id": message.ticket_id, **message.data})
    android: dict = {"priority": "high"}
    if message.ticket_id:
        android["collapse_key"] = f"ticket-{message.ticket_id}"
    return {
        "message": {
            "token": message.recipient,
            "notification": {"title": message.title, "body": message.body},
            "data": data,
            "android": android,
        }
    }


def _error(response: httpx2.Response) -> tuple[str, str, str]:
    """(status, FCM error code, message) of a google.rpc error answer."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return "", "", ""
    if not isinstance(error, dict):
        return "", "", ""
    code = ""
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("errorCode"):
            code = str(detail["errorCode"])
    return str(error.get("status") or ""), code, str(error.get("message") or "")


def _names_the_token(response: httpx2.Response, message: str) -> bool:
    """An INVALID_ARGUMENT about the registration token, not about the payload."""
    if "registration token" in message.lower():
        return True
    try:
        details = response.json()["error"].get("details") or []
    except (ValueError, KeyError, AttributeError, TypeError):
        return False
    return any(
        violation.get("field") == "message.token"
        for detail in details
        if isinstance(detail, dict)
        for violation in detail.get("fieldViolations") or []
        if isinstance(violation, dict)
    )


class FCMBackend(Backend):
    name = "fcm"

    def __init__(self) -> None:
        self._credentials: dict[tuple[str, str], service_account.Credentials] = {}
        self._lock = threading.Lock()
        self._http: urllib3.PoolManager | None = None
        self._client: httpx2.Client | None = None

    def client(self) -> httpx2.Client:
        """Made on first use, in the process that sends (never shared across a fork)."""
        with self._lock:
            if self._client is None:
                self._client = httpx2.Client(http2=True, timeout=httpx2.Timeout(10.0))
            return self._client

    def recipients(self, audience: Audience) -> list[str]:
        configured = settings.HELPDESK_FCM_PROJECT_ID or settings.HELPDESK_FCM_CREDENTIALS_FILE
        return audience.android_tokens if configured else []

    def credentials(self) -> service_account.Credentials:
        path = settings.HELPDESK_FCM_CREDENTIALS_FILE
        if not path:
            raise DeliveryError("FCM is not configured: set HELPDESK_FCM_CREDENTIALS_FILE")
        token_url = settings.HELPDESK_FCM_TOKEN_URL or ""
        with self._lock:
            credentials = self._credentials.get((path, token_url))
            if credentials is None:
                try:
                    credentials = service_account.Credentials.from_service_account_file(
                        path, scopes=[SCOPE]
                    )
                except (OSError, ValueError) as exc:
                    raise DeliveryError(f"FCM service account {path}: {exc}") from exc
                if token_url:
                    credentials = credentials.with_token_uri(token_url)
                self._credentials[(path, token_url)] = credentials
            return credentials

    def access_token(self, credentials: service_account.Credentials) -> str:
        with self._lock:
            if not credentials.valid:
                if self._http is None:
                    self._http = urllib3.PoolManager(timeout=10.0)
                try:
                    credentials.refresh(AuthRequest(self._http))
                except google.auth.exceptions.GoogleAuthError as exc:
                    raise DeliveryError(f"FCM access token: {exc}") from exc
            return str(credentials.token)

    def send(self, message: Message) -> None:
        credentials = self.credentials()
        project = settings.HELPDESK_FCM_PROJECT_ID or credentials.project_id
        url = f"{settings.HELPDESK_FCM_URL.rstrip('/')}/v1/projects/{project}/messages:send"
        bearer = self.access_token(credentials)
        try:
            response = self.client().post(
                url,
                content=json_body(fcm_payload(message)),
                headers={
                    "Content-Type": "application/json; charset=UTF-8",
                    "Authorization": f"Bearer {bearer}",
                },
            )
        except httpx2.HTTPError as exc:
            raise DeliveryError(f"FCM: {exc!r}") from exc
        status = response.status_code
        if status == 200:
            return
        rpc_status, code, text = _error(response)
        what = f"FCM answered {status} {code or rpc_status}: {text}".strip(" :")
        if code == "UNREGISTERED" or status == 404:
            raise RecipientGoneError(what)
        if status == 400 and _names_the_token(response, text):
            raise RecipientGoneError(what)
        if status == 401:  # the access token was revoked or expired early: mint a new one
            with self._lock:
                if credentials.token == bearer:
                    credentials.token = None
            raise DeliveryError(what)
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            raise DeliveryError(what, retry_after=wait)
        raise PermanentDeliveryError(what)
