"""The one way live events leave the application: `publish(...)`, after commit, to a ticket's
groups. Nothing is sent until the surrounding transaction commits, so a rolled-back change sends
nothing.

The transport is chosen from the channel layer in settings, in one place (`_deliver`): with a
network layer (Redis) the process's background sender (`live.sender`); with the in-memory layer
of the embedded default, in place, in the server process, or, from a background process of that
default (HELPDESK_REALTIME_FORWARD_URL set), forwarded to the server (`live.forward`)."""

import logging
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction

from .envelopes import (  # noqa: F401  (the names callers use)
    BATCH_ENVELOPE_TYPE,
    WORKSPACE_GROUP,
    Audience,
    audience_of,
    deliver_in_place,
    deliveries,
    ticket_audience,
    ticket_group,
)
from .forward import forward
from .sender import flush, sender  # noqa: F401  (flush: the name callers use)

logger = logging.getLogger(__name__)


def publish(
    event_type: str,
    ticket,
    payload: dict[str, Any] | None = None,
    *,
    internal: bool = False,
    was: tuple[Any, Any] = (None, None),
    audience: Audience | None = None,
) -> None:
    """Send `event_type` about a ticket to its staff group, the workspace and (unless internal) its
    customer group, once the current transaction commits.

    `ticket` is the Ticket (or, where only its id is at hand, the id). With the Ticket, the event
    also says whose workspace lists it concerns: the ticket's queue and assignee now, and `was`
    (queue id, agent id) before a move, so agents limited to some queues get only those events
    (live/fanout.py). With an id, pass `audience` (`audience_of(queue_id, agent_id)`), or every
    workspace gets it."""
    ticket_id = getattr(ticket, "pk", ticket)
    message = {**(payload or {}), "type": str(event_type), "ticket_id": str(ticket_id)}
    if hasattr(ticket, "pk"):
        audience = ticket_audience(ticket, was)
    transaction.on_commit(lambda: _deliver(message, internal=internal, audience=audience))


def _deliver(message: dict[str, Any], *, internal: bool, audience: Audience | None = None) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer) and settings.HELPDESK_REALTIME_FORWARD_URL:
        # A background process of the embedded default: the sockets live in the server process.
        forward(message, internal=internal, audience=audience)
        return
    if isinstance(layer, InMemoryChannelLayer):
        deliver_in_place(message, internal=internal, layer=layer, audience=audience)
        return
    try:
        # encoded by the sender thread, not the caller
        sender().put((message, internal, audience))
    except Exception:  # never fail the request that changed the ticket
        logger.exception("live event %s not queued", message["type"])
