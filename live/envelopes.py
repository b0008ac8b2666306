"""Live events as they travel: the groups of a ticket, what its customer may see, whose workspace
lists an event concerns, the envelopes sent to each group, and how a batch is coalesced and
folded for the workspace socket. Plain functions; sending is `live.sender` or in place.

Envelopes carry the event both as a dict and as its JSON text, so a server process with many
sockets encodes nothing per socket. Each event goes to three audiences:
- `ticket.<id>.staff` and `workspace`: the full message (the workspace's with the ticket's queue
  and assignee, now and before, so agents limited to some queues get only what concerns them);
- `ticket.<id>.customer`: only when not `internal`, and only the fields in `CUSTOMER_FIELDS`.
"""

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .types import EventType

logger = logging.getLogger(__name__)

WORKSPACE_GROUP = "workspace"
ASSIGNED = "assigned"  # the ticket status an assignment moves to (folded into ticket.assigned)
ENVELOPE_TYPE = "helpdesk.event"
BATCH_ENVELOPE_TYPE = "helpdesk.events"

# What a customer may see of any event; everything else (reasons, risk, internal flags) is staff-only.
CUSTOMER_FIELDS = frozenset(
    {
        "type",
        "ticket_id",
        "status",
        "previous",
        "queue",
        "category",
        "priority",
        "agent",
        "level",
        "comment_id",
        "author_kind",
    }
)


def ticket_group(ticket_id, *, staff: bool) -> str:
    return f"ticket.{ticket_id}.{'staff' if staff else 'customer'}"


def customer_view(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key in CUSTOMER_FIELDS}


Audience = dict[str, list[int]]  # {"queues": [queue ids], "agents": [agent ids]}


def audience_of(queue_id, agent_id) -> Audience:
    """The people of a ticket in queue `queue_id` assigned to `agent_id` (either may be None)."""
    return {
        "queues": [] if queue_id is None else [queue_id],
        "agents": [] if agent_id is None else [agent_id],
    }


def ticket_audience(ticket, was: tuple[Any, Any] = (None, None)) -> Audience:
    now, before = audience_of(ticket.queue_id, ticket.assigned_agent_id), audience_of(*was)
    return {key: sorted(set(now[key]) | set(before[key])) for key in ("queues", "agents")}


def deliveries(
    message: dict[str, Any], *, internal: bool, audience: Audience | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(group, envelope) pairs for one event; the workspace's envelope carries the audience."""
    staff = {"type": ENVELOPE_TYPE, "event": message, "text": _encode(message)}
    workspace = staff if audience is None else {**staff, "audience": audience}
    out = [(ticket_group(message["ticket_id"], staff=True), staff), (WORKSPACE_GROUP, workspace)]
    if not internal:
        public = customer_view(message)
        customer = {"type": ENVELOPE_TYPE, "event": public, "text": _encode(public)}
        out.append((ticket_group(message["ticket_id"], staff=False), customer))
    return out


def _encode(event: dict[str, Any]) -> str:
    """Encoded once here, not once per connected socket."""
    return json.dumps(event, default=str)


def deliver_in_place(
    message: dict[str, Any], *, internal: bool, layer=None, audience: Audience | None = None
) -> None:
    """Send now, from this thread (the in-memory layer of the embedded default)."""
    layer = layer or get_channel_layer()
    try:
        for group, envelope in deliveries(message, internal=internal, audience=audience):
            async_to_sync(layer.group_send)(group, envelope)
    except Exception:  # a dead channel layer must never fail the request that changed the ticket
        logger.exception("live event %s not delivered", message["type"])


def coalesce(batch: list[list[tuple[str, dict[str, Any]]]]) -> list[tuple[str, dict[str, Any]]]:
    """One channel-layer message per group for everything that piled up (a committed transaction
    usually publishes several events at once); the consumer unpacks it, one frame per event."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for sends in batch:
        for group, envelope in sends:
            by_group.setdefault(group, []).append(envelope)
    if WORKSPACE_GROUP in by_group:
        by_group[WORKSPACE_GROUP] = fold_for_workspace(by_group[WORKSPACE_GROUP])
    out = []
    for group, envelopes in by_group.items():
        message = {
            "type": BATCH_ENVELOPE_TYPE,
            "events": [e["event"] for e in envelopes],
            "texts": [e["text"] for e in envelopes],
        }
        if group == WORKSPACE_GROUP and any("audience" in e for e in envelopes):
            message["audiences"] = [e.get("audience") for e in envelopes]
        out.append((group, message))
    return out


def fold_for_workspace(envelopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The workspace socket reaches every agent, so each frame there is multiplied by the number
    of open workspaces. Two pairs of one batch are folded into one frame there (ticket sockets
    keep every event unchanged):

    - a ticket's `ticket.routed` and, after it, its `ticket.created` (the intake ran inside the
      creating transaction, which publishes `ticket.created` last): no separate
      `ticket.created`; that ticket's first `ticket.routed` carries `"created": true`;
    - a ticket's `ticket.status_changed` to `assigned` and the `ticket.assigned` that follows it
      (an assignment moves the ticket to `assigned` in the same commit): no separate
      `ticket.status_changed`; the `ticket.assigned` carries its `status` and `previous`.

    The kept event's audience is the union of both (no audience, everyone, wins), so nobody a
    folded event concerned misses the frame that carries it."""
    routed: set[str] = set()  # tickets whose ticket.routed came first in this batch
    created: set[str] = set()
    to_assigned: dict[str, int] = {}  # ticket -> its latest unpaired status change to assigned
    dropped: set[int] = set()
    status_of: dict[int, dict[str, Any]] = {}  # a ticket.assigned's index -> status fields
    status_audience: dict[int, Audience | None] = {}  # ... and the status change's audience
    for index, envelope in enumerate(envelopes):
        event = envelope["event"]
        kind, ticket_id = event["type"], event["ticket_id"]
        if kind == EventType.ROUTED:
            routed.add(ticket_id)
        elif kind == EventType.CREATED and ticket_id in routed:
            created.add(ticket_id)
        elif kind == EventType.STATUS_CHANGED:
            if event.get("status") == ASSIGNED:
                to_assigned[ticket_id] = index
            else:
                to_assigned.pop(ticket_id, None)
        elif kind == EventType.ASSIGNED and ticket_id in to_assigned:
            paired = to_assigned.pop(ticket_id)
            dropped.add(paired)
            change = envelopes[paired]["event"]
            status_of[index] = {"status": change["status"], "previous": change.get("previous")}
            status_audience[index] = envelopes[paired].get("audience")
    if not created and not dropped:
        return envelopes
    unmarked, out = set(created), []
    first_routed: dict[str, dict[str, Any]] = {}  # ticket -> its kept, marked ticket.routed
    created_audiences: dict[str, list] = {}  # ticket -> audiences of its dropped ticket.created
    for index, envelope in enumerate(envelopes):
        if index in dropped:
            continue
        event, extra = envelope["event"], status_of.get(index)
        ticket_id = event["ticket_id"]
        if ticket_id in created:
            if event["type"] == EventType.CREATED:
                created_audiences.setdefault(ticket_id, []).append(envelope.get("audience"))
                continue
            if event["type"] == EventType.ROUTED and ticket_id in unmarked:
                unmarked.discard(ticket_id)  # only the first routed of that ticket
                extra = {"created": True}
        if extra:
            event = {**event, **extra}
            merged: dict[str, Any] = {"type": ENVELOPE_TYPE, "event": event, "text": _encode(event)}
            if "audience" in envelope:
                merged["audience"] = envelope["audience"]
            if "created" in extra:
                first_routed[ticket_id] = merged
            elif index in status_of:  # the status change it carries concerned the same people
                merged["audience"] = _union(merged.get("audience"), status_audience[index])
            envelope = merged
        out.append(envelope)
    for ticket_id, audiences in created_audiences.items():  # a folded event's people still see it
        kept = first_routed[ticket_id]
        for audience in audiences:
            kept["audience"] = _union(kept.get("audience"), audience)
    for envelope in out:
        if envelope.get("audience", "") is None:
            del envelope["audience"]
    return out


def _union(a: Audience | None, b: Audience | None) -> Audience | None:
    """None is everyone."""
    if a is None or b is None:
        return None
    return {key: sorted(set(a[key]) | set(b[key])) for key in ("queues", "agents")}
