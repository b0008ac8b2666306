"""Apple Push Notification service: HTTP/2 with token-based (.p8 key) authentication.

Every request carries a provider JWT (ES256, header `kid` = key id, claims `iss` = team id and
`iat`) signed with the key from Apple's developer account. Apple accepts a token for an hour and
answers `TooManyProviderTokenUpdates` to one minted more often than every 20 minutes, so one token
is kept and reused for `HELPDESK_APNS_TOKEN_REFRESH_SECONDS` (50 minutes) before a new one is
minted. APNs speaks HTTP/2 only: one httpx client per process keeps its connection open and
multiplexes the sends over it, as Apple asks. Dead device tokens (410 Unregistered, 400
BadDeviceToken) come back as `RecipientGoneError`; the outbox then forgets the device."""

import json
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx2
import jwt
from django.conf import settings

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

GONE_REASONS = {"Unregistered", "BadDeviceToken", "ExpiredToken"}
PROVIDER_TOKEN_REASONS = {"ExpiredProviderToken", "InvalidProviderToken"}


def apns_payload(message: Message) -> dict:
    aps: dict = {"alert": {"title": message.title, "body": message.body}, "sound": "default"}
    if message.ticket_id:
        aps["thread-id"] = f"ticket-{message.ticket_id}"
    return {"aps": aps, "event": message.event, "ticket_id": message.ticket_id}


class ProviderToken:
    """The provider JWT, minted from the .p8 key and reused until `refresh_after` seconds old."""

    def __init__(
        self,
        *,
        key: str,
        key_id: str,
        team_id: str,
        refresh_after: float,
        clock: Callable[[], float] = time.time,
    ):
        self.key, self.key_id, self.team_id = key, key_id, team_id
        self.refresh_after, self.clock = refresh_after, clock
        self._token: str | None = None
        self._issued_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            now = self.clock()
            if self._token is None or now - self._issued_at >= self.refresh_after:
                claims = {"iss": self.team_id, "iat": int(now)}
                headers = {"kid": self.key_id}
                self._token = jwt.encode(claims, self.key, algorithm="ES256", headers=headers)
                self._issued_at = now
            return self._token

    def discard(self, token: str) -> None:
        """APNs refused `token` (expired, say after the machine's clock jumped): mint anew."""
        with self._lock:
            if self._token == token:
                self._token = None


class APNsBackend(Backend):
    name = "apns"

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._tokens: dict[tuple, ProviderToken] = {}
        self._clients: dict[str | None, httpx2.Client] = {}
        self._lock = threading.Lock()

    def recipients(self, audience: Audience) -> list[str]:
        return audience.ios_tokens if settings.HELPDESK_APNS_TOPIC else []

    def provider_token(self) -> ProviderToken:
        path, key_id, team_id = (
            settings.HELPDESK_APNS_KEY_PATH,
            settings.HELPDESK_APNS_KEY_ID,
            settings.HELPDESK_APNS_TEAM_ID,
        )
        if not (path and key_id and team_id):
            raise DeliveryError(
                "APNs is not configured: set HELPDESK_APNS_KEY_PATH, _KEY_ID and _TEAM_ID"
            )
        refresh = float(settings.HELPDESK_APNS_TOKEN_REFRESH_SECONDS)
        config = (path, key_id, team_id, refresh)
        with self._lock:
            token = self._tokens.get(config)
            if token is None:
                try:
                    key = Path(path).read_text()
                except OSError as exc:
                    raise DeliveryError(f"APNs key {path}: {exc}") from exc
                token = ProviderToken(
                    key=key, key_id=key_id, team_id=team_id, refresh_after=refresh, clock=self.clock
                )
                self._tokens[config] = token
            return token

    def client(self) -> httpx2.Client:
        ca_file = settings.HELPDESK_APNS_CA_FILE or None
        with self._lock:
            client = self._clients.get(ca_file)
            if client is None:
                verify: ssl.SSLContext | bool = (
                    ssl.create_default_context(cafile=ca_file) if ca_file else True
                )
                client = httpx2.Client(
                    http1=False, http2=True, verify=verify, timeout=httpx2.Timeout(10.0)
                )
                self._clients[ca_file] = client
            return client

    def headers(self, message: Message, bearer: str) -> dict[str, str]:
        headers = {
            "authorization": f"bearer {bearer}",
            "apns-topic": settings.HELPDESK_APNS_TOPIC or "",
            "apns-push-type": "alert",
            "apns-priority": "10",
            "apns-id": str(uuid.uuid5(uuid.NAMESPACE_URL, message.key)),
            # Apple keeps an undelivered notification (phone off) until then, then drops it
            "apns-expiration": str(int(self.clock()) + settings.HELPDESK_APNS_EXPIRATION_SECONDS),
        }
        if message.ticket_id:  # a newer notification about the ticket replaces the older one
            headers["apns-collapse-id"] = f"ticket-{message.ticket_id}"[:64]
        return headers

    def send(self, message: Message) -> None:
        token = self.provider_token()
        bearer = token.get()
        url = f"{settings.HELPDESK_APNS_URL.rstrip('/')}/3/device/{message.recipient}"
        try:
            response = self.client().post(
                url, content=json_body(apns_payload(message)), headers=self.headers(message, bearer)
            )
        except httpx2.HTTPError as exc:
            raise DeliveryError(f"APNs: {exc!r}") from exc
        if response.status_code == 200:
            return
        try:
            reason = str(json.loads(response.content or b"{}").get("reason", ""))
        except (ValueError, AttributeError):
            reason = ""
        status = response.status_code
        what = f"APNs answered {status} {reason}".strip()
        if status == 410 or reason in GONE_REASONS:
            raise RecipientGoneError(what)
        if reason in PROVIDER_TOKEN_REASONS:
            token.discard(bearer)
            raise DeliveryError(what)
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            raise DeliveryError(what, retry_after=wait)
        raise PermanentDeliveryError(what)
