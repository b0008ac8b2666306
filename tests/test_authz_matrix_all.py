"""Who may call what, for EVERY route of the URL conf and of helpdesk/ws_urls.py.

Rows: each route's probes (tests/authz_policy.py). Columns: anonymous, customer A (the ticket's
owner), customer B, an agent of another queue, an agent, a manager, an administrator. A route
the URL conf has and the policy lacks fails `test_every_route_has_a_policy`, so a new route
cannot ship without saying who may use it."""

import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver

from agents.models import PushDevice, SavedReply
from agents.tests.factories import AgentFactory
from conftest import client_for, token_for
from core.ws_auth import TokenOrSessionAuthMiddleware
from helpdesk.ws_urls import websocket_urlpatterns
from tests.authz_policy import POLICY, ROLES, WS_POLICY, unslashed_alias
from tickets.access import status_token_make
from tickets.csat import csat_token
from tickets.models import Attachment, Comment, Ticket
from tickets.tests.factories import QueueFactory, UserFactory
from workspace.models import SavedView


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route


ROUTES = set(_walk(get_resolver().url_patterns))


def test_every_route_has_a_policy():
    routes = ROUTES
    covered = {route for route, *_ in POLICY}
    missing = {
        r
        for r in routes
        if r not in covered and unslashed_alias(r) not in covered and not r.startswith("admin/")
    }
    assert not missing, f"routes without an authorisation policy (tests/authz_policy.py): {missing}"
    stale = covered - routes - {"admin/"}
    assert not stale, f"policy rows for routes that no longer exist: {stale}"


def test_every_websocket_route_has_a_policy():
    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes == {route for route, *_ in WS_POLICY}


@pytest.fixture
def world(customer, other_customer, agent, manager, queue):
    billing = QueueFactory(slug="billing", name="Billing")
    outsider = AgentFactory(user=UserFactory(username="outsider@example.com"), all_queues=False)
    outsider.queues.set([billing])
    admin = get_user_model().objects.create_superuser("root@example.com", "root@example.com", "x")
    ticket = Ticket.objects.get(pk=_ticket(customer, queue).pk)
    attachment = Attachment(ticket=ticket, name="a.txt", size=2, content_type="text/plain")
    attachment.file.save("a.txt", ContentFile(b"hi"), save=False)
    attachment.save()
    values = {
        "ticket": str(ticket.pk),
        "macro": str(SavedReply.objects.create(name="Noted", body="Noted.").pk),
        "view": str(SavedView.objects.create(name="Mine", owner=agent.user).pk),
        "device": str(PushDevice.objects.create(user=customer, platform="ios", token="t1").pk),
        "attachment": str(attachment.pk),
        "status": status_token_make(ticket_id=ticket.pk),
        "csat": csat_token(ticket=ticket),
    }
    users = dict(
        zip(
            ROLES,
            [None, customer, other_customer, outsider.user, agent.user, manager, admin],
            strict=True,
        )
    )
    return ticket, values, users


def _ticket(customer, queue):
    from tickets.tests.factories import TicketFactory

    return TicketFactory(customer=customer, queue=queue, subject="Secret subject of A")


def _fill(value, values):
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def _call(user, method, path, body):
    if path.startswith("/api/"):
        return getattr(client_for(user), method)(path, body, format="json")
    client = Client()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(path, body or {})


CASES = [
    pytest.param(method, path, body, role, expected[index], id=f"{method}:{path}:{role}")
    for _route, method, path, body, expected in POLICY
    for index, role in enumerate(ROLES)
] + [
    pytest.param(method, unslashed, body, role, expected[index], id=f"{method}:{unslashed}:{role}")
    for route, method, path, body, expected in POLICY
    if route.endswith("/") and route.rstrip("/") in ROUTES
    for unslashed in [path.rstrip("/")]
    for index, role in enumerate(ROLES)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_route_by_role(world, method, path, body, role, expected):
    ticket, values, users = world
    before = Ticket.objects.values().get(pk=ticket.pk)
    comments = Comment.objects.count()
    response = _call(users[role], method, _fill(path, values), _fill(body, values))
    assert response.status_code == expected, getattr(response, "content", b"")[:300]
    if expected in (401, 403, 404) or (expected == 302 and role == "anonymous"):
        # refused: nothing of the ticket shown, nothing changed
        if not getattr(response, "streaming", False):
            assert b"Secret subject of A" not in response.content
        assert Ticket.objects.values().get(pk=ticket.pk) == before
        assert Comment.objects.count() == comments
    if "{view}" in path and role != "agent":
        assert SavedView.objects.filter(pk=values["view"]).exists()  # only its owner deletes it


OBJECT_ROWS = [
    pytest.param(method, path, body, role, id=f"{method}:{path}:{role}")
    for _route, method, path, body, _ in POLICY
    # the signed links ({status}, {csat}) are keys: whoever holds one may read
    if ("{ticket}" in path or "{attachment}" in path) and "{status}" not in path
    for role in ("customer_b", "agent_other_queue")
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body", "role"), OBJECT_ROWS)
def test_someone_elses_ticket_answers_as_a_missing_one(world, method, path, body, role):
    """Customer B and an agent of another queue learn nothing of customer A's ticket: every
    ticket-scoped route answers them exactly as it answers for a ticket that does not exist
    (404 on the API and the customer pages; the staff-only workspace refuses customers with 403
    before looking anything up)."""
    _, values, users = world
    real = _call(users[role], method, _fill(path, values), _fill(body, values))
    missing = {**values, "ticket": str(uuid.uuid4()), "attachment": str(uuid.uuid4())}
    fake = _call(users[role], method, _fill(path, missing), _fill(body, missing))
    assert real.status_code == fake.status_code
    assert real.status_code in (403, 404)


APP = TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))

WS_CASES = [
    pytest.param(path, role, expected[index], id=f"ws:{path}:{role}")
    for _route, path, expected in WS_POLICY
    for index, role in enumerate(ROLES)
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("path", "role", "expected"), WS_CASES)
def test_websocket_by_role(world, path, role, expected):
    """`accept` when the socket stays open with a first frame; else the close code."""
    _, values, users = world
    path = _fill(path, values)
    if users[role] is not None:
        path = f"{path}?token={token_for(users[role])}"

    async def run():
        comm = WebsocketCommunicator(APP, path)
        connected, _ = await comm.connect(timeout=10)
        try:
            message = await comm.receive_output(timeout=5)
        finally:
            await comm.disconnect(timeout=5)
        if message["type"] == "websocket.close":
            return message.get("code")
        return "accept"

    assert async_to_sync(run)() == expected
