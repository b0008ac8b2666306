"""The workspace group, fanned out once per server process instead of once per socket.

Every agent's workspace socket receives every ticket event, so with N open workspaces each event
became N channel-layer deliveries, each woken in its own consumer task, decoded and dispatched
before its frame was written (the larger part of daphne's CPU per ticket). Here one
member per process and event loop joins the `workspace` group; each message it receives is
decoded once and written to every workspace socket of that process in turn, in order.

Ticket sockets keep Channels' ordinary per-socket groups: few sockets watch one ticket."""

import asyncio
import json
import logging
import weakref
from typing import Any, Protocol

from .envelopes import BATCH_ENVELOPE_TYPE, WORKSPACE_GROUP

logger = logging.getLogger(__name__)
YIELD_EVERY = 25  # sockets written between yields to the event loop, so connects are not starved
REJOIN_SECONDS = 3600  # the list layer expires group members after a day; pub/sub never does


class WorkspaceSocket(Protocol):
    async def forward_frames(self, frames: "Frames") -> None: ...


class Frames:
    """One workspace message, decoded once per process and shared by every socket: the frames'
    texts (`texts(...)`). `full=True` is for agents who see every queue; `full=False`
    (`{type, ticket_id}` only) for agents limited to some queues, who get only the events
    `relevant` to them (`only`: their indices). The brief form is built when first asked for."""

    def __init__(self, message: dict[str, Any]) -> None:
        if message["type"] == BATCH_ENVELOPE_TYPE:
            self.events, self._full_texts = message["events"], message["texts"]
            self.audiences = message.get("audiences") or [None] * len(self.events)
        else:
            self.events, self._full_texts = [message["event"]], [message["text"]]
            self.audiences = [message.get("audience")]
        self._for_everyone = all(audience is None for audience in self.audiences)
        self._brief_texts: list[str] | None = None

    def relevant(self, queue_ids: frozenset, agent_id) -> tuple[int, ...] | None:
        """The events an agent limited to `queue_ids` should hear of: those of tickets in (or
        leaving) one of those queues, assigned to (or taken from) them, and those whose people
        are not known. None: all of them."""
        if self._for_everyone:
            return None
        only = tuple(
            n
            for n, audience in enumerate(self.audiences)
            if audience is None
            or agent_id in audience["agents"]
            or not queue_ids.isdisjoint(audience["queues"])
        )
        return None if len(only) == len(self.events) else only

    def texts(self, full: bool, only: tuple[int, ...] | None = None) -> list[str]:
        """The frames' texts for a full or a limited agent, `only` the events at those indices."""
        if full:
            texts = self._full_texts
        else:
            if self._brief_texts is None:
                self._brief_texts = [
                    json.dumps({"type": e["type"], "ticket_id": e["ticket_id"]})
                    for e in self.events
                ]
            texts = self._brief_texts
        return texts if only is None else [texts[n] for n in only]


class WorkspaceHub:
    """This process's member of the `workspace` group, for one channel layer and event loop."""

    def __init__(self, layer) -> None:
        self.layer = layer
        # insertion-ordered; weak, so a socket whose disconnect never ran (its consumer crashed)
        # is not written to forever
        self.sockets: weakref.WeakKeyDictionary[WorkspaceSocket, None] = weakref.WeakKeyDictionary()
        self.members = 0  # sockets that joined (or are joining) and have not left
        self._joined: asyncio.Future | None = None
        self._task: asyncio.Future | None = None

    async def join(self) -> None:
        """Returns once this process is in the group: from then on no event is missed. Each
        successful `join` is paired with one `leave`."""
        self.members += 1
        if self._joined is None:
            self._joined = asyncio.get_running_loop().create_future()
            self._task = asyncio.ensure_future(self._run(self._joined))
        try:
            await asyncio.shield(self._joined)
        except BaseException:
            self._release()
            raise

    def add(self, socket: WorkspaceSocket) -> None:
        """Start writing events to `socket` (after it has been told it is ready)."""
        self.sockets[socket] = None

    def leave(self, socket: WorkspaceSocket) -> None:
        """The last socket to leave takes the process out of the group."""
        self.sockets.pop(socket, None)
        self._release()

    def _release(self) -> None:
        self.members -= 1
        if self.members == 0 and self._task is not None:
            self._task.cancel()
            self._task = self._joined = None

    async def _run(self, joined: asyncio.Future) -> None:
        try:
            channel = await self.layer.new_channel()
            await self.layer.group_add(WORKSPACE_GROUP, channel)
        except Exception as exc:  # Redis down: the sockets waiting fail, the next one retries
            self._task = self._joined = None
            joined.set_exception(exc)
            return
        joined.set_result(channel)
        rejoin = asyncio.ensure_future(self._rejoin(channel))
        try:
            while True:
                try:
                    message = await self.layer.receive(channel)
                except asyncio.CancelledError:
                    raise
                except Exception:  # Redis gone for a moment: keep the sockets, try again
                    logger.exception("workspace events not received")
                    await asyncio.sleep(1)
                    continue
                await self._fan_out(message)
        finally:
            rejoin.cancel()
            try:
                await self.layer.group_discard(WORKSPACE_GROUP, channel)
            except Exception:
                logger.warning("workspace group left uncleanly", exc_info=True)

    async def _rejoin(self, channel: str) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            try:
                await self.layer.group_add(WORKSPACE_GROUP, channel)
            except Exception:
                logger.exception("workspace group membership not renewed")

    async def _fan_out(self, message: dict[str, Any]) -> None:
        frames = Frames(message)
        for n, socket in enumerate(list(self.sockets), start=1):
            try:
                await socket.forward_frames(frames)
            except Exception:  # that socket closed meanwhile; the others still get it
                logger.debug("workspace socket dropped an event", exc_info=True)
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, WorkspaceHub]" = (
    weakref.WeakKeyDictionary()
)


def workspace_hub(layer) -> WorkspaceHub:
    """The hub of the running event loop for `layer` (a new one when the layer was replaced, as
    tests do)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = WorkspaceHub(layer)
    return hub
