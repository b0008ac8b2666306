"""In Chromium, under the Content-Security-Policy (issue #17): the customer form, sign-in, the
workspace with its live socket, a ticket page with htmx actions, the reports' charts, the admin
and the API docs work, and the browser reports no policy violation on any of them."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from agents.tests.factories import AgentFactory
from core.tokens import token_issue
from tests.browser.test_live_flows import _login
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"error: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(msg.text)
        if "Content Security Policy" in msg.text or "Refused to" in msg.text
        else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Refused to (CSP) ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return problems


def test_pages_work_under_the_policy(daphne_server, page, shot):
    base = daphne_server
    queue = QueueFactory(slug="general", name="General")
    agent = AgentFactory(user=UserFactory(username="ana@example.com", first_name="Ana"))
    agent.user.is_staff = agent.user.is_superuser = True
    agent.user.save()
    ticket = TicketFactory(queue=queue, subject="Printer on fire")
    problems = _watch(page)

    page.goto(f"{base}/support/new/")
    expect(page.get_by_role("button", name="Send request")).to_be_visible()
    _login(page, base, agent.user.username)
    expect(page).to_have_url(f"{base}/workspace/")
    page.goto(f"{base}/workspace/tickets/{ticket.pk}/")
    expect(page.locator("body[data-live=connected]")).to_have_count(1)
    # another agent's change reaches the facts box live (no htmx eval filter under the CSP)
    token = token_issue(user=agent.user)
    request = urllib.request.Request(
        f"{base}/api/v1/tickets/{ticket.pk}/correct/",
        data=json.dumps({"priority": "urgent"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    expect(page.locator("#facts")).to_contain_text("urgent", timeout=10_000)
    page.locator("#facts select[name='status']").select_option("in_progress")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#facts")).to_contain_text("in progress", timeout=10_000)
    page.goto(f"{base}/admin/tickets/ticket/")
    expect(page.get_by_text("Printer on fire")).to_be_visible()
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible(timeout=15_000)
    shot(page, "csp-api-docs")
    assert problems == []
