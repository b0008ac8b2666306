"""Mobile push in the request formats of FCM HTTP v1 and APNs (provider-token auth).

Credentials come from settings: an OAuth access token for FCM and a signed provider JWT for APNs
(both minted outside the app; see docs/ASSIGNMENT.md). Base URLs are settings too, which is how the
tests point them at a local fake server."""

from django.conf import settings

from .apns import APNsBackend
from .base import Audience, Backend, Message, PermanentDeliveryError, http_post, json_body


def _strings(data: dict) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def fcm_payload(message: Message) -> dict:
    data = _strings({"event": message.event, "ticket_id": message.ticket_id, **message.data})
    return {
        "message": {
            "token": message.recipient,
            "notification": {"title": message.title, "body": message.body},
            "data": data,
            "android": {"priority": "high", "collapse_key": f"ticket-{message.ticket_id}"},
        }
    }


class FCMBackend(Backend):
    name = "fcm"

    def recipients(self, audience: Audience) -> list[str]:
        return audience.android_tokens if settings.HELPDESK_FCM_PROJECT_ID else []

    def send(self, message: Message) -> None:
        url = (
            f"{settings.HELPDESK_FCM_URL.rstrip('/')}/v1/projects/"
            f"{settings.HELPDESK_FCM_PROJECT_ID}/messages:send"
        )
        status = http_post(
            url,
            json_body(fcm_payload(message)),
            {
                "Content-Type": "application/json; charset=UTF-8",
                "Authorization": f"Bearer {settings.HELPDESK_FCM_ACCESS_TOKEN}",
            },
        )
        if status >= 300:
            raise PermanentDeliveryError(f"FCM answered {status}")


__all__ = ["APNsBackend", "FCMBackend"]
