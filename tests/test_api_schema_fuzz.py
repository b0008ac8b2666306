"""Schemathesis against `/api/schema/`: every documented operation, as every role (anonymous,
a customer, an agent, a manager), in-process through the WSGI app. Checks: never a 5xx, only
documented status codes and content types, and bodies of the documented shape.

Each generated case is sent twice: as generated (random ids: mostly 404s), then with its path
ids replaced by real objects the caller may or may not see, so validation and the actions run
on tickets that exist. Webhooks are signed (with the test secret) so their input is fuzzed past
the signature check. Rerun longer: `HELPDESK_FUZZ_EXAMPLES=200 pytest tests/test_api_schema_fuzz.py`
(docs/SECURITY.md)."""

import hashlib
import hmac
import json

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agents.models import PushDevice, SavedReply
from core.tokens import token_issue
from tickets.services.attachments import attachment_store, incoming_bytes
from tickets.tests.files import PNG

APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = int(django_settings.HELPDESK_FUZZ_EXAMPLES)
WEBHOOKS = ("/api/webhooks/",)


@schemathesis.serializer("message/rfc822")
def _raw_mail(ctx, value):
    return {"data": _raw(value)}


def _raw(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value).encode("utf-8", "surrogatepass")


def _signature(raw: bytes) -> str:
    key = django_settings.HELPDESK_WEBHOOK_SECRET.encode()
    return "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's handler closes the database connection after each request (its test client turns
    that off); calling the WSGI app directly would close the test's transaction under it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, customer, agent, manager, ticket, queue):
    macro = SavedReply.objects.create(name="Thanks", body="Thanks {{ customer_name }}")
    file = attachment_store(
        ticket=ticket,
        comment=None,
        incoming=incoming_bytes(name="shot.png", data=PNG),
        uploaded_by=customer,
    )
    device = PushDevice.objects.create(user=customer, platform="ios", token="fuzz-device-token")
    return {
        "tokens": {
            "anonymous": None,
            "customer": token_issue(user=customer),
            "agent": token_issue(user=agent.user),
            "manager": token_issue(user=manager),
        },
        "ids": {
            "ticket_id": str(ticket.pk),
            "macro_id": str(macro.pk),
            "attachment_id": str(file.pk),
            "device_id": str(device.pk),
        },
    }


def _send(case, headers: dict) -> None:
    if case.path.startswith(WEBHOOKS):
        if case.body is None or type(case.body).__name__ == "NotSet":
            raw = b""
        else:
            raw = _raw(case.body)
        case.call_and_validate(
            headers={**headers, "X-Helpdesk-Signature": _signature(raw)}, data=raw, checks=CHECKS
        )
    else:
        case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["anonymous", "customer", "agent", "manager"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_as_every_role(case, role, world):
    token = world["tokens"][role]
    headers = {"Authorization": f"Token {token}"} if token else {}
    _send(case, headers)
    real = {k: world["ids"][k] for k in (case.path_parameters or {}) if k in world["ids"]}
    if real:
        case.path_parameters = {**case.path_parameters, **real}
        _send(case, headers)
