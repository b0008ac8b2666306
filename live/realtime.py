"""The one way live events leave the application: after commit, to a ticket's groups.

Services call `publish(...)`. Nothing is sent until the surrounding transaction commits, so a
rolled-back change sends nothing. Delivery is kept off the request: on a network channel layer
(Redis) committed events are handed to one background sender thread per process, which drains
whatever has piled up and sends it concurrently over its own event loop and Redis connection.
The request pays for a queue append, not a Redis round trip (STACK.md measured a synchronous
`group_send` per request at two thirds of the throughput). The in-memory layer of the embedded
default lives in the server's own event loop, so there events are sent in place.

Envelopes carry the event both as a dict and as its JSON text, so a daphne process with many
sockets encodes nothing per socket.

Each event goes to three audiences:
- `ticket.<id>.staff` and `workspace`: the full message (the workspace's with the ticket's queue
  and assignee, now and before, so agents limited to some queues get only what concerns them);
- `ticket.<id>.customer`: only when not `internal`, and only the fields in `CUSTOMER_FIELDS`.
"""

import asyncio
import atexit
import collections
import json
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer
from django.conf import settings
from django.db import transaction

from . import process

logger = logging.getLogger(__name__)

# Only for bench/ws_latency.py --inline: send in the request, as a naive implementation would.
_INLINE = os.environ.get("HELPDESK_REALTIME_INLINE") == "1"

WORKSPACE_GROUP = "workspace"
ASSIGNED = "assigned"  # the ticket status an assignment moves to (folded into ticket.assigned)
ENVELOPE_TYPE = "helpdesk.event"
BATCH_ENVELOPE_TYPE = "helpdesk.events"
SEND_CONCURRENCY = 16  # group sends in flight at once, well under the Redis pool's limit
SEND_TIMEOUT = 10.0  # seconds for one batch; the sender never waits forever on a dead Redis
LINGER = 0.002  # seconds the sender waits after a wake-up before taking what piled up


def linger() -> float:
    """LINGER, or in a Celery worker HELPDESK_REALTIME_WORKER_LINGER (live/process.py)."""
    return settings.HELPDESK_REALTIME_WORKER_LINGER if process.IN_WORKER else LINGER


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
        "confidence",
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
    (workspace/fanout.py). With an id, pass `audience` (`audience_of(queue_id, agent_id)`), or every
    workspace gets it."""
    ticket_id = getattr(ticket, "pk", ticket)
    message = {**(payload or {}), "type": event_type, "ticket_id": str(ticket_id)}
    if hasattr(ticket, "pk"):
        audience = ticket_audience(ticket, was)
    transaction.on_commit(lambda: _deliver(message, internal=internal, audience=audience))


def audience_of(queue_id, agent_id) -> Audience:
    """The people of a ticket in queue `queue_id` assigned to `agent_id` (either may be None)."""
    return {
        "queues": [] if queue_id is None else [queue_id],
        "agents": [] if agent_id is None else [agent_id],
    }


def ticket_audience(ticket, was: tuple[Any, Any] = (None, None)) -> Audience:
    return _union(audience_of(ticket.queue_id, ticket.assigned_agent_id), audience_of(*was))


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


def _deliver(message: dict[str, Any], *, internal: bool, audience: Audience | None = None) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer) and settings.HELPDESK_REALTIME_FORWARD_URL:
        # A background process of the embedded default: the sockets live in the server process.
        from .forward import forward

        forward(message, internal=internal, audience=audience)
        return
    if isinstance(layer, InMemoryChannelLayer) or _INLINE:
        deliver_in_place(message, internal=internal, layer=layer, audience=audience)
        return
    try:
        # encoded by the sender thread, not the caller
        _sender().put((message, internal, audience))
    except Exception:  # never fail the request that changed the ticket
        logger.exception("live event %s not queued", message["type"])


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


def _coalesce(batch: list[list[tuple[str, dict[str, Any]]]]) -> list[tuple[str, dict[str, Any]]]:
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
        if kind == "ticket.routed":
            routed.add(ticket_id)
        elif kind == "ticket.created" and ticket_id in routed:
            created.add(ticket_id)
        elif kind == "ticket.status_changed":
            if event.get("status") == ASSIGNED:
                to_assigned[ticket_id] = index
            else:
                to_assigned.pop(ticket_id, None)
        elif kind == "ticket.assigned" and ticket_id in to_assigned:
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
            if event["type"] == "ticket.created":
                created_audiences.setdefault(ticket_id, []).append(envelope.get("audience"))
                continue
            if event["type"] == "ticket.routed" and ticket_id in unmarked:
                unmarked.discard(ticket_id)  # only the first routed of that ticket
                extra = {"created": True}
        if extra:
            event = {**event, **extra}
            merged = {"type": ENVELOPE_TYPE, "event": event, "text": _encode(event)}
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


class _Sender:
    """A daemon thread with one event loop that sends queued (group, envelope) batches."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._items: collections.deque = collections.deque()
        self._pending = 0
        self._lock = threading.Condition()
        self._ready = threading.Event()
        self._asleep = True
        self._thread = threading.Thread(target=self._run, name="helpdesk-realtime", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def put(self, event: tuple[dict[str, Any], bool, Audience | None]) -> None:
        """Queue one committed (message, internal, audience); the caller only pays for an append."""
        with self._lock:
            self._pending += 1
            self._items.append(event)
            if self._asleep:  # wake the loop once per batch, not once per event
                self._asleep = False
                wake = True
            else:
                wake = False
        if wake:
            self._loop.call_soon_threadsafe(self._wake.set)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far was sent (tests, benchmarks, shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._ready.set()
        while True:
            await self._wake.wait()
            self._wake.clear()
            # A commit's hooks run one after another, but other hooks in between (mail outbox,
            # the intake doorbell) do I/O and let this thread in early: wait a moment so the
            # commit's events (and concurrent requests') travel as one message per group.
            await asyncio.sleep(linger())
            with self._lock:  # take whatever piled up while we waited or sent
                queued = list(self._items)
                self._items.clear()
                self._asleep = not queued
            if not queued:
                continue
            batch = [
                deliveries(message, internal=internal, audience=audience)
                for message, internal, audience in queued
            ]
            self._wake.set()  # look again once this batch is out: more may have piled up
            try:
                # a dead Redis gives up after SEND_TIMEOUT; a large burst gets time in proportion
                limit = max(SEND_TIMEOUT, 0.005 * sum(len(sends) for sends in batch))
                await asyncio.wait_for(self._send(self._layer(), batch), limit)
            except Exception:  # Redis down or slow: these events are lost, later ones still go
                logger.exception("%d live event batch(es) not delivered", len(batch))
            finally:
                with self._lock:
                    self._pending -= len(batch)
                    self._lock.notify_all()

    def _layer(self):
        """A layer instance of our own (channels-redis objects hold locks bound to the loop that
        first used them), rebuilt when the configured layer changes (tests override settings)."""
        shared = get_channel_layer()
        if shared is not getattr(self, "_shared", None):
            self._shared = shared
            self._own = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        return self._own

    async def _send(self, layer, batch) -> None:
        # Bounded: a burst (an SLA pass escalating thousands of tickets) must not open more Redis
        # connections than the pool allows, or channels-redis drops the overflow.
        gate = asyncio.Semaphore(SEND_CONCURRENCY)

        async def send_one(group: str, envelope: dict[str, Any]) -> None:
            async with gate:
                await layer.group_send(group, envelope)

        results = await asyncio.gather(
            *(send_one(group, envelope) for group, envelope in _coalesce(batch)),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, Exception):
                logger.error("live event not delivered: %r", result)


_sender_instance: _Sender | None = None
_sender_lock = threading.Lock()


def _sender() -> _Sender:
    """The process's sender; a forked child (a Celery worker) starts its own."""
    global _sender_instance
    with _sender_lock:
        if _sender_instance is None or _sender_instance.pid != os.getpid():
            _sender_instance = _Sender()
        return _sender_instance


def flush(timeout: float = 5.0) -> bool:
    """Block until every committed event of this process has been handed to the channel layer."""
    instance = _sender_instance
    if instance is None or instance.pid != os.getpid():
        return True
    return instance.flush(timeout)


atexit.register(flush, 2.0)
