"""Who may call what: anonymous, customer A (the ticket's owner), customer B, agent, manager ×
every `/api/v1/` route, on customer A's ticket."""

import pytest

from agents.models import SavedReply
from core.roles import managers_group
from tickets.models import Comment, Ticket
from tickets.tests.factories import QueueFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer_a", "customer_b", "agent", "manager"]

# route: (method, path template, body, {role: expected status})
ROUTES = {
    "list": ("get", "/api/v1/tickets/", None, [401, 200, 200, 200, 200]),
    "create": (
        "post",
        "/api/v1/tickets/",
        {"subject": "s", "body": "b"},
        [401, 201, 201, 403, 403],
    ),
    "detail": ("get", "/api/v1/tickets/{id}/", None, [401, 200, 404, 200, 200]),
    "comments": ("get", "/api/v1/tickets/{id}/comments/", None, [401, 200, 404, 200, 200]),
    "reply": ("post", "/api/v1/tickets/{id}/comments/", {"body": "hi"}, [401, 201, 404, 201, 201]),
    "internal_note": (
        "post",
        "/api/v1/tickets/{id}/comments/",
        {"body": "psst", "internal": True},
        [401, 403, 404, 201, 201],
    ),
    "status": (
        "post",
        "/api/v1/tickets/{id}/status/",
        {"status": "in_progress"},
        [401, 403, 404, 200, 200],
    ),
    "reassign": (
        "post",
        "/api/v1/tickets/{id}/reassign/",
        {"queue": "billing", "reason": "r"},
        [401, 403, 404, 200, 200],
    ),
    "correct": (
        "post",
        "/api/v1/tickets/{id}/correct/",
        {"priority": "high"},
        [401, 403, 404, 200, 200],
    ),
    "tags": (
        "post",
        "/api/v1/tickets/{id}/tags/",
        {"add": ["vip"]},
        [401, 403, 404, 200, 200],
    ),
    # into itself: staff get as far as the rule (409), nothing changes
    "merge": ("post", "/api/v1/tickets/{id}/merge/", {"into": "{id}"}, [401, 403, 404, 409, 409]),
    "macro_apply": (
        "post",
        "/api/v1/tickets/{id}/macros/{macro}/apply/",
        None,
        [401, 403, 404, 200, 200],
    ),
    "bulk": (
        "post",
        "/api/v1/tickets/bulk/",
        {"ids": ["{id}"], "action": "tags", "value": ["vip"]},
        [401, 403, 403, 200, 200],
    ),
    "macros": ("get", "/api/v1/macros/", None, [401, 403, 403, 200, 200]),
    "macro_create": (
        "post",
        "/api/v1/macros/",
        {"name": "Thanks", "body": "Thanks!"},
        [401, 403, 403, 403, 201],
    ),
    "agents": ("get", "/api/v1/agents/", None, [401, 403, 403, 403, 200]),
    "devices": ("get", "/api/v1/devices/", None, [401, 200, 200, 200, 200]),
    "register_device": (
        "post",
        "/api/v1/devices/",
        {"platform": "ios", "token": "phone"},
        [401, 201, 201, 201, 201],
    ),
}

CASES = [
    pytest.param(route, role, expected[index], id=f"{route}-{role}")
    for route, (_, _, _, expected) in ROUTES.items()
    for index, role in enumerate(ROLES)
]


@pytest.fixture
def actors(customer, other_customer, agent, manager):
    return {
        "anonymous": None,
        "customer_a": customer,
        "customer_b": other_customer,
        "agent": agent.user,
        "manager": manager,
    }


@pytest.mark.parametrize(("route", "role", "expected"), CASES)
def test_route_by_role(api, actors, ticket, route, role, expected):
    QueueFactory(slug="billing")
    macro = SavedReply.objects.create(name="Noted", body="Noted, {{ customer_name }}.")
    method, template, body, _ = ROUTES[route]
    if body and body.get("ids"):
        body = {**body, "ids": [str(ticket.pk)]}
    before = Ticket.objects.values().get(pk=ticket.pk)
    comments_before = Comment.objects.count()
    if body is not None:
        body = {k: v.format(id=ticket.pk) if isinstance(v, str) else v for k, v in body.items()}
    response = getattr(api(actors[role]), method)(
        template.format(id=ticket.pk, macro=macro.pk), body, format="json"
    )
    assert response.status_code == expected, response.content
    data = response.json()
    if expected >= 400:
        assert set(data) >= {"error", "detail", "fields"}
        assert ticket.subject not in response.content.decode()
        if route not in ("create", "macro_create"):
            assert Ticket.objects.values().get(pk=ticket.pk) == before
            assert Comment.objects.count() == comments_before
    if route == "list" and expected == 200:
        listed = {item["id"] for item in data["results"]}
        assert (str(ticket.pk) in listed) == (role != "customer_b")


def test_matrix_covers_every_api_v1_route():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    v1 = {route for route in walk(get_resolver().url_patterns) if route.startswith("api/v1/")}
    ours = {
        r if r.endswith("/") else r + "/"
        for r in v1
        if r.startswith(("api/v1/tickets", "api/v1/agents", "api/v1/macros"))
    }
    covered = {
        template.replace("/api/", "api/", 1)
        .replace("{id}", "<str:ticket_id>")
        .replace("{macro}", "<str:macro_id>")
        for _, template, _, _ in ROUTES.values()
    }
    assert len(ours) >= 7
    assert ours <= covered, ours - covered


def test_managers_group_member_is_a_manager(api, ticket):
    from tickets.tests.factories import UserFactory

    boss = UserFactory(username="boss@example.com")
    boss.groups.add(managers_group())
    assert api(boss).get("/api/v1/agents/").status_code == 200
