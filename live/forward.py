"""Live events from a background process of the embedded default (`make run` without Redis).

The in-memory channel layer lives inside the server process (daphne), so an event published by the
Celery worker (an SLA escalation, the AI agent's reply) would reach no socket. There the worker is
started with HELPDESK_REALTIME_FORWARD_URL and posts each committed event, signed with a key
derived from SECRET_KEY, to the server, which delivers it in place. With Redis none of this runs:
every process talks to the shared channel layer."""

import hmac
import json
import logging
import urllib.request
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .envelopes import deliver_in_place

logger = logging.getLogger(__name__)
SALT = "live.forward"
HEADER = "X-Helpdesk-Realtime-Signature"


def signature(body: bytes) -> str:
    return salted_hmac(SALT, body, algorithm="sha256").hexdigest()


def forward(message: dict[str, Any], *, internal: bool, audience=None) -> None:
    body = json.dumps(
        {"message": message, "internal": internal, "audience": audience}, default=str
    ).encode()
    request = urllib.request.Request(
        settings.HELPDESK_REALTIME_FORWARD_URL,
        data=body,
        headers={"Content-Type": "application/json", HEADER: signature(body)},
        method="POST",
    )
    try:
        urllib.request.urlopen(request, timeout=2).close()
    except Exception:  # the server may be restarting: a live event is not worth failing a job
        logger.warning("live event %s not forwarded to the server", message.get("type"))


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    """The server side: only in the embedded default, only with a valid signature."""
    if not settings.HELPDESK_REALTIME_ACCEPT_FORWARDS:
        return JsonResponse(
            {"error": "not_found", "detail": "Not found.", "fields": {}}, status=404
        )
    given = request.headers.get(HEADER, "")
    if not hmac.compare_digest(signature(request.body), given):
        return JsonResponse(
            {"error": "unauthenticated", "detail": "Bad signature.", "fields": {}}, status=401
        )
    try:
        data = json.loads(request.body)
        message, internal = data["message"], bool(data["internal"])
        audience = data.get("audience")
        message["type"], message["ticket_id"]  # noqa: B018 (both required)
        if audience is not None and not all(
            isinstance(audience[key], list) and all(isinstance(i, int) for i in audience[key])
            for key in ("queues", "agents")
        ):
            raise ValueError("audience")
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "invalid", "detail": "Bad event.", "fields": {}}, status=400)
    deliver_in_place(message, internal=internal, audience=audience)
    return HttpResponse(status=204)
