import hashlib
import hmac
import time

from django.conf import settings

from .base import Audience, Backend, Message, PermanentDeliveryError, http_post, json_body


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookBackend(Backend):
    """One signed POST per event to `HELPDESK_NOTIFICATION_WEBHOOK_URL`, whoever the audience.

    Headers: `X-Helpdesk-Signature: sha256=<HMAC-SHA256 of the body>`, `X-Helpdesk-Event`, and
    `X-Helpdesk-Delivery` (the outbox key: stable across retries, so receivers can deduplicate)."""

    name = "webhook"

    def recipients(self, audience: Audience) -> list[str]:
        url = getattr(settings, "HELPDESK_NOTIFICATION_WEBHOOK_URL", None)
        return [url] if url else []

    def send(self, message: Message) -> None:
        body = json_body(
            {
                "event": message.event,
                "ticket_id": message.ticket_id,
                "delivery": message.key,
                "title": message.title,
                "body": message.body,
                "data": message.data,
            }
        )
        secret = settings.HELPDESK_NOTIFICATION_WEBHOOK_SECRET
        status = http_post(
            message.recipient,
            body,
            {
                "Content-Type": "application/json",
                "X-Helpdesk-Signature": sign(secret, body),
                "X-Helpdesk-Event": message.event,
                "X-Helpdesk-Delivery": message.key,
                "X-Helpdesk-Timestamp": str(int(time.time())),
            },
        )
        if status >= 300:
            raise PermanentDeliveryError(f"webhook answered {status}")
