"""The authorisation policy of every route, read by tests/test_authz_matrix_all.py.

POLICY rows: (route as the URL conf spells it, method, path, body, expected status per ROLES).
Paths name objects by placeholder: {ticket} is customer A's ticket in the `general` queue (an
agent of another queue is limited to `billing`); {macro} a saved reply; {view} the agent's saved
view; {device} customer A's phone; {attachment} a file on the ticket; {status} and {csat} the
ticket's signed links (the link is the key: whoever holds it may read). Routes under `admin/`
are Django's admin, which checks `is_staff` itself: one probe of its index.

The API's copies of `/api/v1/...` routes without the trailing slash (journey/urls.py) are
probed with the same expectations.

Decisions the table records:
- Customer B and an agent outside the ticket's queue get 404 on every ticket-scoped API and
  customer route, the same answer as for a ticket that does not exist. The workspace is for
  staff: it refuses every customer with 403 before looking anything up (so the answer never
  depends on whose ticket it is), and agents outside the queue get 404.
- Customer pages (`/support/tickets/...`) show a customer their own tickets; staff get 404 there
  and work in the workspace.
- The status link and the CSAT link are signed keys (tickets/access.py, tickets/csat.py): whoever
  holds one may read that ticket's status page or rate it, signed in or not (409 here: the
  ticket is not resolved yet). The status link serves only that ticket's files.
- Webhooks authenticate by signature, not by user: 401 (or 415 for a body of the wrong type)
  whoever calls without one. `/internal/realtime` is 404 unless the embedded fan-out is on.
- The OpenAPI schema and its browser are public documentation; every route they describe
  requires a token.
- Reports: managers and administrators only (403 for others signed in); 302 to sign in.
- 400/409 answers for staff mean the call passed the access check and met the input or the
  rule (merging a ticket into itself)."""

ROLES = (
    "anonymous",
    "customer_a",
    "customer_b",
    "agent_other_queue",
    "agent",
    "manager",
    "admin",
)

T = "{ticket}"

POLICY: list[tuple[str, str, str, object, tuple[int, ...]]] = [
    ("admin/", "get", "/admin/", None, (302, 302, 302, 302, 302, 302, 200)),
    ("api/schema/", "get", "/api/schema/", None, (200, 200, 200, 200, 200, 200, 200)),
    ("api/docs/", "get", "/api/docs/", None, (200, 200, 200, 200, 200, 200, 200)),
    (
        "api/v1/reports/<slug:name>",
        "get",
        "/api/v1/reports/overview",
        None,
        (401, 403, 403, 403, 403, 200, 200),
    ),
    ("api/v1/agents/", "get", "/api/v1/agents/", None, (401, 403, 403, 403, 403, 200, 200)),
    ("api/v1/devices/", "get", "/api/v1/devices/", None, (401, 200, 200, 200, 200, 200, 200)),
    (
        "api/v1/devices/",
        "post",
        "/api/v1/devices/",
        {"platform": "ios", "token": "p2"},
        (401, 201, 201, 201, 201, 201, 201),
    ),
    (
        "api/v1/devices/<int:device_id>/",
        "delete",
        "/api/v1/devices/{device}/",
        None,
        (401, 204, 404, 404, 404, 404, 404),
    ),
    (
        "api/webhooks/support/ingest",
        "post",
        "/api/webhooks/support/ingest",
        {"a": 1},
        (401, 401, 401, 401, 401, 401, 401),
    ),
    (
        "api/webhooks/email/inbound",
        "post",
        "/api/webhooks/email/inbound",
        {"a": 1},
        (415, 415, 415, 415, 415, 415, 415),
    ),
    ("api/v1/tickets/", "get", "/api/v1/tickets/", None, (401, 200, 200, 200, 200, 200, 200)),
    (
        "api/v1/tickets/",
        "post",
        "/api/v1/tickets/",
        {"subject": "s", "body": "b"},
        (401, 201, 201, 403, 403, 403, 403),
    ),
    (
        "api/v1/tickets/bulk/",
        "post",
        "/api/v1/tickets/bulk/",
        {"ids": [T], "action": "tags", "value": ["vip"]},
        (401, 403, 403, 200, 200, 200, 200),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/",
        "get",
        f"/api/v1/tickets/{T}/",
        None,
        (401, 200, 404, 404, 200, 200, 200),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/comments/",
        "get",
        f"/api/v1/tickets/{T}/comments/",
        None,
        (401, 200, 404, 404, 200, 200, 200),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/comments/",
        "post",
        f"/api/v1/tickets/{T}/comments/",
        {"body": "hi"},
        (401, 201, 404, 404, 201, 201, 201),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/comments/",
        "post",
        f"/api/v1/tickets/{T}/comments/",
        {"body": "psst", "internal": True},
        (401, 403, 404, 404, 201, 201, 201),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/status/",
        "post",
        f"/api/v1/tickets/{T}/status/",
        {"status": "in_progress"},
        (401, 403, 404, 404, 200, 200, 200),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/reassign/",
        "post",
        f"/api/v1/tickets/{T}/reassign/",
        {"queue": "billing", "reason": "r"},
        (401, 403, 404, 404, 200, 200, 200),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/correct/",
        "post",
        f"/api/v1/tickets/{T}/correct/",
        {"priority": "high"},
        (401, 403, 404, 404, 200, 200, 200),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/tags/",
        "post",
        f"/api/v1/tickets/{T}/tags/",
        {"add": ["vip"]},
        (401, 403, 404, 404, 200, 200, 200),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/merge/",
        "post",
        f"/api/v1/tickets/{T}/merge/",
        {"into": T},
        (401, 403, 404, 404, 409, 409, 409),
    ),
    (
        "api/v1/tickets/<str:ticket_id>/macros/<str:macro_id>/apply/",
        "post",
        f"/api/v1/tickets/{T}/macros/{{macro}}/apply/",
        None,
        (401, 403, 404, 404, 200, 200, 200),
    ),
    ("api/v1/macros/", "get", "/api/v1/macros/", None, (401, 403, 403, 200, 200, 200, 200)),
    (
        "api/v1/macros/",
        "post",
        "/api/v1/macros/",
        {"name": "Thanks", "body": "Thanks!"},
        (401, 403, 403, 403, 403, 201, 201),
    ),
    (
        "api/v1/attachments/<str:attachment_id>/",
        "get",
        "/api/v1/attachments/{attachment}/",
        None,
        (401, 200, 404, 404, 200, 200, 200),
    ),
    ("reports/", "get", "/reports/", None, (302, 302, 302, 302, 302, 302, 302)),
    (
        "reports/<slug:name>.csv",
        "get",
        "/reports/customers.csv",
        None,
        (302, 403, 403, 403, 403, 200, 200),
    ),
    (
        "reports/<slug:name>/",
        "get",
        "/reports/overview/",
        None,
        (302, 403, 403, 403, 403, 200, 200),
    ),
    ("reports/<slug:name>", "get", "/reports/overview", None, (302, 403, 403, 403, 403, 200, 200)),
    ("csat/<str:token>/", "get", "/csat/{csat}/", None, (200, 200, 200, 200, 200, 200, 200)),
    (
        "csat/<str:token>/<str:score>",
        "get",
        "/csat/{csat}/5",
        None,
        (409, 409, 409, 409, 409, 409, 409),
    ),
    (
        "csat/<str:token>/<str:score>",
        "post",
        "/csat/{csat}/5",
        None,
        (409, 409, 409, 409, 409, 409, 409),
    ),
    (
        "csat/<str:token>/<str:score>/",
        "post",
        "/csat/{csat}/5/",
        None,
        (409, 409, 409, 409, 409, 409, 409),
    ),
    ("accounts/login/", "get", "/accounts/login/", None, (200, 200, 200, 200, 200, 200, 200)),
    ("accounts/logout/", "post", "/accounts/logout/", None, (302, 302, 302, 302, 302, 302, 302)),
    (
        "accounts/password_change/",
        "get",
        "/accounts/password_change/",
        None,
        (302, 200, 200, 200, 200, 200, 200),
    ),
    (
        "accounts/password_change/done/",
        "get",
        "/accounts/password_change/done/",
        None,
        (302, 200, 200, 200, 200, 200, 200),
    ),
    (
        "accounts/password_reset/",
        "get",
        "/accounts/password_reset/",
        None,
        (200, 200, 200, 200, 200, 200, 200),
    ),
    (
        "accounts/password_reset/done/",
        "get",
        "/accounts/password_reset/done/",
        None,
        (200, 200, 200, 200, 200, 200, 200),
    ),
    (
        "accounts/reset/<uidb64>/<token>/",
        "get",
        "/accounts/reset/MQ/bad-token/",
        None,
        (200, 200, 200, 200, 200, 200, 200),
    ),
    (
        "accounts/reset/done/",
        "get",
        "/accounts/reset/done/",
        None,
        (200, 200, 200, 200, 200, 200, 200),
    ),
    ("", "get", "/", None, (302, 302, 302, 302, 302, 302, 302)),
    ("workspace/", "get", "/workspace/", None, (302, 403, 403, 200, 200, 200, 200)),
    ("workspace/list/", "get", "/workspace/list/", None, (302, 403, 403, 200, 200, 200, 200)),
    (
        "workspace/views/",
        "post",
        "/workspace/views/",
        {"name": "Urgent", "status": "new"},
        (302, 403, 403, 302, 302, 302, 302),
    ),
    (
        "workspace/views/<int:view_id>/delete/",
        "post",
        "/workspace/views/{view}/delete/",
        None,
        (302, 403, 403, 302, 302, 302, 302),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/",
        "get",
        f"/workspace/tickets/{T}/",
        None,
        (302, 403, 403, 404, 200, 200, 200),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/conversation/",
        "get",
        f"/workspace/tickets/{T}/conversation/",
        None,
        (302, 403, 403, 404, 200, 200, 200),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/facts/",
        "get",
        f"/workspace/tickets/{T}/facts/",
        None,
        (302, 403, 403, 404, 200, 200, 200),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/comment/",
        "post",
        f"/workspace/tickets/{T}/comment/",
        {"body": "hi"},
        (302, 403, 403, 404, 302, 302, 302),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/status/",
        "post",
        f"/workspace/tickets/{T}/status/",
        {"status": "in_progress"},
        (302, 403, 403, 404, 302, 302, 302),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/reassign/",
        "post",
        f"/workspace/tickets/{T}/reassign/",
        {"queue": "billing", "reason": "r"},
        (302, 403, 403, 404, 400, 400, 400),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/correct/",
        "post",
        f"/workspace/tickets/{T}/correct/",
        {"priority": "high"},
        (302, 403, 403, 404, 302, 302, 302),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/tags/",
        "post",
        f"/workspace/tickets/{T}/tags/",
        {"add": "vip"},
        (302, 403, 403, 404, 302, 302, 302),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/merge/",
        "post",
        f"/workspace/tickets/{T}/merge/",
        {"into": T},
        (302, 403, 403, 404, 409, 409, 409),
    ),
    (
        "workspace/tags/suggestions/",
        "get",
        "/workspace/tags/suggestions/",
        None,
        (302, 403, 403, 200, 200, 200, 200),
    ),
    (
        "workspace/settings/",
        "get",
        "/workspace/settings/",
        None,
        (302, 403, 403, 200, 200, 200, 200),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/macros/",
        "get",
        f"/workspace/tickets/{T}/macros/",
        None,
        (302, 403, 403, 404, 200, 200, 200),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/macros/<int:macro_id>/",
        "get",
        f"/workspace/tickets/{T}/macros/{{macro}}/",
        None,
        (302, 403, 403, 404, 200, 200, 200),
    ),
    (
        "workspace/tickets/<uuid:ticket_id>/macros/<int:macro_id>/apply/",
        "post",
        f"/workspace/tickets/{T}/macros/{{macro}}/apply/",
        None,
        (302, 403, 403, 404, 302, 302, 302),
    ),
    (
        "workspace/bulk/",
        "post",
        "/workspace/bulk/",
        {"ids": T, "action": "tags", "value": "vip"},
        (302, 403, 403, 400, 400, 400, 400),
    ),
    ("support/new/", "get", "/support/new/", None, (200, 200, 200, 200, 200, 200, 200)),
    ("support/tickets/", "get", "/support/tickets/", None, (302, 200, 200, 200, 200, 200, 200)),
    (
        "support/tickets/<uuid:ticket_id>/",
        "get",
        f"/support/tickets/{T}/",
        None,
        (302, 200, 404, 404, 404, 404, 404),
    ),
    (
        "support/tickets/<uuid:ticket_id>/conversation/",
        "get",
        f"/support/tickets/{T}/conversation/",
        None,
        (302, 200, 404, 404, 404, 404, 404),
    ),
    (
        "support/tickets/<uuid:ticket_id>/reply/",
        "post",
        f"/support/tickets/{T}/reply/",
        {"body": "hi"},
        (302, 302, 404, 404, 404, 404, 404),
    ),
    (
        "support/s/<str:token>/",
        "get",
        "/support/s/{status}/",
        None,
        (200, 200, 200, 200, 200, 200, 200),
    ),
    (
        "support/s/<str:token>/conversation/",
        "get",
        "/support/s/{status}/conversation/",
        None,
        (200, 200, 200, 200, 200, 200, 200),
    ),
    (
        "support/s/<str:token>/files/<uuid:attachment_id>/",
        "get",
        "/support/s/{status}/files/{attachment}/",
        None,
        (200, 200, 200, 200, 200, 200, 200),
    ),
    ("healthz", "get", "/healthz", None, (200, 200, 200, 200, 200, 200, 200)),
    (
        "internal/realtime",
        "post",
        "/internal/realtime",
        {"a": 1},
        (404, 404, 404, 404, 404, 404, 404),
    ),
]

# WebSocket routes (helpdesk/ws_urls.py): "accept" (open, first frame sent) or the close code.
WS_POLICY: list[tuple[str, str, tuple]] = [
    (
        "ws/tickets/<str:ticket_id>/",
        f"/ws/tickets/{T}/",
        (4401, "accept", 4403, 4403, "accept", "accept", "accept"),
    ),
    ("ws/workspace/", "/ws/workspace/", (4401, 4403, 4403, "accept", "accept", "accept", "accept")),
]


def unslashed_alias(route: str) -> str:
    """The slashed `/api/v1/` route an unslashed copy answers as (journey/urls.py)."""
    return route + "/" if route.startswith("api/v1/") and not route.endswith("/") else route
