"""Security headers on every page (issue #17): a CSP without inline script and with
frame-ancestors 'none', nosniff, a referrer policy, no framing; HSTS in production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _policy(response) -> dict[str, str]:
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p.split()[0]: " ".join(p.split()[1:]) for p in parts}


def _pages(client, manager, agent, customer, ticket):
    yield "/support/new/", client
    yield "/accounts/login/", client
    yield "/admin/login/", client
    yield "/api/docs/", client
    client.force_login(customer)
    yield f"/support/tickets/{ticket.pk}/", client
    client.force_login(agent.user)
    yield "/workspace/", client
    yield f"/workspace/tickets/{ticket.pk}/", client
    client.force_login(manager)
    yield "/reports/overview/", client
    manager.is_staff = manager.is_superuser = True
    manager.save()
    yield "/admin/tickets/ticket/", client
    yield f"/admin/tickets/ticket/{ticket.pk}/change/", client


def test_every_page_has_the_headers_and_no_inline_script(client, manager, agent, customer, queue):
    ticket = TicketFactory(customer=customer, queue=queue)
    for url, page_client in _pages(client, manager, agent, customer, ticket):
        response = page_client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["script-src"] == "'self'", url
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html))
        assert not INLINE_HANDLER.search(
            re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
        ), url


def test_a_view_with_its_own_policy_keeps_it(api, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = api(customer).post(
        "/api/v1/tickets/",
        {"subject": "s", "body": "b", "files": [SimpleUploadedFile("a.txt", b"hello")]},
        format="multipart",
    )
    url = created.json()["attachments"][0]["url"]
    got = api(customer).get(url)
    assert got["Content-Security-Policy"] == "default-src 'none'; sandbox"


def _production(**extra) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        SECRET_KEY="a-long-random-production-key",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/none",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="help.example.com",
        HELPDESK_WEBHOOK_SECRET="another-random-secret",
        DJANGO_SETTINGS_MODULE="helpdesk.settings.production",
        **extra,
    )
    code = "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_sends_hsts_for_a_year_unless_told_otherwise():
    assert _production() == "31536000"
    assert _production(SECURE_HSTS_SECONDS="0") == "0"
