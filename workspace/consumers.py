"""WebSocket consumers: authenticate, check access through the selectors, join groups, forward.

Close codes (sent after accepting, so browsers and apps can read them):
4401 not signed in (no session, no valid token); 4403 signed in but not allowed (another
customer's ticket, a missing ticket, or a customer on the workspace socket)."""

from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.roles import agent_profile, user_role
from live.fanout import WorkspaceHub, workspace_hub
from live.realtime import ticket_group
from tickets.selectors import ticket_get

from .selectors import ticket_for_status_token, ticket_snapshot

UNAUTHENTICATED = 4401
FORBIDDEN = 4403


@database_sync_to_async
def _resolve_ticket(user, ticket_id: str, status_token: str | None):
    """(role, ticket, staff) for this socket; ticket None when not allowed."""
    role = user_role(user)
    if role == "anonymous":
        ticket = ticket_for_status_token(token=status_token) if status_token else None
        if ticket is None or str(ticket.pk) != ticket_id:
            return role, None, False
        return "customer", ticket, False
    ticket = ticket_get(user=user, ticket_id=ticket_id)
    staff = role in ("agent", "manager")
    return role, ticket, staff


@database_sync_to_async
def _snapshot(ticket_id, staff: bool) -> dict:
    from tickets.models import Ticket

    ticket = Ticket.objects.select_related("queue", "category", "assigned_agent__user").get(
        pk=ticket_id
    )
    return ticket_snapshot(ticket=ticket, staff=staff)


def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


class _LiveConsumer(AsyncJsonWebsocketConsumer):
    """Channels runs `close_old_connections` in its sync thread before *every* handler: for a
    channel-layer message that only forwards text to the socket, that thread hop costs more than
    the forwarding itself, and all sockets of a process queue for the one thread
    (docs/WORKSPACE.md). Our `helpdesk.*` handlers never touch the database, so `dispatch` (a
    documented consumer method) runs them directly; socket events (connect, receive,
    disconnect), which may, keep Channels' clean-up.

    What clients send is read here, not by the JSON consumer's `receive`: a frame that is not a
    JSON object (binary, broken JSON, a list) gets an `error` message back, never a traceback."""

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = await self.decode_json(text_data) if text_data is not None else None
        except ValueError:  # json.JSONDecodeError
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "Send a JSON object."})
            return
        await self.receive_json(content, **kwargs)

    async def dispatch(self, message):
        if message["type"].startswith("helpdesk."):
            handler = getattr(self, get_handler_name(message), None)
            if handler is not None:
                await handler(message)
                return
        await super().dispatch(message)


class TicketConsumer(_LiveConsumer):
    """`/ws/tickets/{id}/`: the ticket's customer (public events) or staff (all events, presence)."""

    async def connect(self):
        await self.accept()
        query = parse_qs(self.scope.get("query_string", b"").decode())
        status_token = (query.get("access") or [None])[0]
        ticket_id = self.scope["url_route"]["kwargs"]["ticket_id"]
        role, ticket, self.staff = await _resolve_ticket(
            self.scope.get("user"), ticket_id, status_token
        )
        if ticket is None:
            await self.close(code=UNAUTHENTICATED if role == "anonymous" else FORBIDDEN)
            return
        self.ticket_id = str(ticket.pk)
        self.group = ticket_group(self.ticket_id, staff=self.staff)
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Joined before the snapshot is read, so no event can fall between the two.
        await self.send_json(await _snapshot(self.ticket_id, self.staff))
        if self.staff:
            user = self.scope["user"]
            self.me = {"user_id": user.pk, "name": _display_name(user)}
            self.present: dict[str, str] = {}  # other staff sockets on this ticket: their state
            await self._presence("viewing")

    async def disconnect(self, code):
        group = getattr(self, "group", None)
        if group is None:
            return
        if self.staff:
            await self._presence("left")
        await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Staff clients report typing: `{"type": "presence.typing", "typing": true}`."""
        if getattr(self, "group", None) and self.staff and content.get("type") == "presence.typing":
            await self._presence("typing" if content.get("typing") else "viewing")

    async def _presence(self, state: str) -> None:
        await self.channel_layer.group_send(
            self.group,
            {"type": "helpdesk.presence", "state": state, "from": self.channel_name, **self.me},
        )

    async def helpdesk_event(self, message):
        await self.send(text_data=message["text"])

    async def helpdesk_events(self, message):
        for text in message["texts"]:
            await self.send(text_data=text)

    async def helpdesk_presence(self, message):
        if message["from"] == self.channel_name:
            return
        if message["state"] == "viewing" and not message.get("reply"):
            # A newcomer: tell them we are here too, directly.
            await self.channel_layer.send(
                message["from"],
                {
                    "type": "helpdesk.presence",
                    "state": "viewing",
                    "reply": True,
                    "from": self.channel_name,
                    **self.me,
                },
            )
        # Tell the client about changes only. With the pub/sub layer a process applies group
        # membership when a message arrives, not when it was sent, so a newcomer can also get the
        # announcement of a socket that joined just before it, as well as that socket's reply.
        sender, state = message["from"], message["state"]
        if state == "left":
            self.present.pop(sender, None)
        elif self.present.get(sender) == state:
            return
        else:
            self.present[sender] = state
        await self.send_json(
            {
                "type": "presence",
                "ticket_id": self.ticket_id,
                "user_id": message["user_id"],
                "name": message["name"],
                "state": message["state"],
                "connection": message["from"][-8:],
            }
        )


@database_sync_to_async
def _workspace_access(user):
    """(role, sees every queue, the queue ids and agent id of an agent limited to some queues)"""
    role = user_role(user)
    if role not in ("agent", "manager"):
        return role, False, frozenset(), None
    agent = agent_profile(user)
    if role == "manager" or (agent is not None and agent.all_queues):
        return role, True, frozenset(), None
    if agent is None:
        return role, False, frozenset(), None
    return role, False, frozenset(agent.queues.values_list("pk", flat=True)), agent.pk


class WorkspaceConsumer(_LiveConsumer):
    """`/ws/workspace/`: every ticket event, for agents and managers. Agents limited to some
    queues get only the event type and ticket id, and only of the events that concern their
    queues or tickets assigned to them (their queues as they were at connect); the page
    re-fetches what they may see. Events come from this process's `WorkspaceHub`
    (live/fanout.py), not from a group membership of each socket."""

    hub: WorkspaceHub | None = None

    async def connect(self):
        await self.accept()
        role, self.full, self.queue_ids, self.agent_id = await _workspace_access(
            self.scope.get("user")
        )
        if role not in ("agent", "manager"):
            await self.close(code=UNAUTHENTICATED if role == "anonymous" else FORBIDDEN)
            return
        hub = workspace_hub(self.channel_layer)
        await hub.join()
        self.hub = hub
        await self.send_json({"type": "workspace.ready"})
        hub.add(self)  # after `workspace.ready`, which stays the first message

    async def disconnect(self, code):
        hub = getattr(self, "hub", None)
        if hub is not None:
            self.hub = None
            hub.leave(self)

    async def forward_frames(self, frames) -> None:
        """One `workspace` group message, as `live.fanout.Frames`: one frame per event, its
        text encoded once per process, sent through Channels' `send`."""
        only = None if self.full else frames.relevant(self.queue_ids, self.agent_id)
        if only == ():
            return  # nothing here concerns this agent's queues or tickets
        for text in frames.texts(self.full, only):
            await self.send(text_data=text)
