"""Signed webhook posts for tests."""

import hashlib
import hmac
import json

from django.conf import settings

URL = "/api/webhooks/support/ingest"


def sign(raw: bytes, secret: str | None = None) -> str:
    key = (secret or settings.HELPDESK_WEBHOOK_SECRET).encode()
    return "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()


def sign_timed(raw: bytes, timestamp: int | str, secret: str | None = None) -> str:
    """The timestamped form (CONTRACT.md): the HMAC of `<timestamp>.<raw body>`."""
    key = (secret or settings.HELPDESK_WEBHOOK_SECRET).encode()
    signed = str(timestamp).encode() + b"." + raw
    return "sha256=" + hmac.new(key, signed, hashlib.sha256).hexdigest()


def payload(**overrides) -> dict:
    data = {
        "external_id": "email-msg-abc123",
        "channel": "email",
        "customer_email": "user@example.com",
        "subject": "Cannot access my dashboard",
        "body": "I get a 403 error since yesterday.",
        "context": {"platform": "ios", "app_version": "2.9.1", "locale": "de_DE"},
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not ...}


def post_raw(
    client, raw: bytes, *, signature: str | None = "auto", content_type="application/json", **extra
):
    headers = dict(extra)
    if signature == "auto":
        signature = sign(raw)
    if signature is not None:
        headers["HTTP_X_HELPDESK_SIGNATURE"] = signature
    return client.generic("POST", URL, raw, content_type=content_type, **headers)


def post(client, data, **kwargs):
    return post_raw(client, json.dumps(data).encode(), **kwargs)


def assert_nothing_stored():
    from tickets.models import Comment, Ticket, TicketEvent

    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0
    assert Comment.objects.count() == 0
