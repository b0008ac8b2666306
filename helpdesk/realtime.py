"""The one way live events leave the application: after commit, to a ticket's groups.

Services call `publish(...)`; delivery happens only once the surrounding transaction commits,
so a rolled-back change sends nothing."""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

WORKSPACE_GROUP = "workspace"


def ticket_group(ticket_id, *, staff: bool) -> str:
    return f"ticket.{ticket_id}.{'staff' if staff else 'customer'}"


def publish(event_type: str, ticket_id, payload: dict[str, Any] | None = None, *, internal: bool = False) -> None:
    """Send `event_type` about a ticket to its staff group, the workspace and (unless internal) its
    customer group, once the current transaction commits."""
    message = {"type": event_type, "ticket_id": str(ticket_id), **(payload or {})}
    transaction.on_commit(lambda: _deliver(message, internal=internal))


def _deliver(message: dict[str, Any], *, internal: bool) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    groups = [ticket_group(message["ticket_id"], staff=True), WORKSPACE_GROUP]
    if not internal:
        groups.append(ticket_group(message["ticket_id"], staff=False))
    envelope = {"type": "helpdesk.event", "event": message}
    try:
        for group in groups:
            async_to_sync(layer.group_send)(group, envelope)
    except Exception:  # a dead channel layer must never fail the request that changed the ticket
        logger.exception("live event %s not delivered", message["type"])
