"""What a backend is: who it would send an event to, and how it sends one message."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field


class DeliveryError(Exception):
    """A send failed in a way worth retrying (network error, 5xx, 429)."""


class PermanentDeliveryError(DeliveryError):
    """The receiver refused the message (4xx): retrying would not help."""


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
            raise DeliveryError(f"HTTP {exc.code} from {url}") from exc
        return exc.code
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"{url}: {exc}") from exc


def json_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
