"""What a backend is: who it would send an event to, and how it sends one message."""

import email.utils
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field


class DeliveryError(Exception):
    """A send failed in a way worth retrying (network error, 5xx, 429); `retry_after` is the
    receiver's own `Retry-After` in seconds, when it gave one."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """The receiver refused the message (4xx): retrying would not help."""


class RecipientGoneError(PermanentDeliveryError):
    """The provider says the address no longer exists (a push token of an uninstalled app):
    never retried, and the address is forgotten."""


def retry_after_seconds(value: str | None) -> int | None:
    """A `Retry-After` header's delay in seconds (delta-seconds or an HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(int(when.timestamp() - time.time()), 0)


@dataclass
class Message:
    key: str
    event: str
    recipient: str
    title: str
    body: str
    ticket_id: str | None
    data: dict = field(default_factory=dict)


@dataclass
class Audience:
    """Who an event is for, already resolved to addresses by the enqueueing service."""

    emails: list[str] = field(default_factory=list)
    android_tokens: list[str] = field(default_factory=list)
    ios_tokens: list[str] = field(default_factory=list)


class Backend:
    name = "base"

    def recipients(self, audience: Audience) -> list[str]:
        raise NotImplementedError

    def send(self, message: Message) -> None:
        raise NotImplementedError


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> int:
    """POST and return the status; retryable failures raise DeliveryError, 4xx return as is."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            wait = retry_after_seconds(exc.headers.get("Retry-After") if exc.headers else None)
            raise DeliveryError(f"HTTP {exc.code} from {url}", retry_after=wait) from exc
        return exc.code
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"{url}: {exc}") from exc


def json_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
