"""In Chromium: a manager's report pages draw their charts from the vendored Chart.js (no CDN)."""

import pytest

from core.roles import managers_group
from tests.browser.conftest import browser_type_launch_args, shot  # noqa: F401
from tickets.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_report_pages_draw_charts(daphne_server, page, routing_logs, shot):  # noqa: F811
    manager = UserFactory(username="mia@example.com", first_name="Mia", last_name="Manager")
    manager.groups.add(managers_group())
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    page.on(
        "request",
        lambda request: outside.append(request.url)
        if not request.url.startswith(daphne_server)
        else None,
    )
    page.goto(f"{daphne_server}/accounts/login/")
    page.get_by_label("Username or e-mail").fill("mia@example.com")
    page.get_by_label("Password").fill("pass12345")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports/overview/")
    expected = {"overview": 3, "agents": 2, "routing": 2, "csat": 2}
    for name, charts in expected.items():
        page.goto(f"{daphne_server}/reports/{name}/?days=30")
        page.wait_for_function(
            f"document.querySelectorAll('#report-charts canvas').length >= {charts}"
        )
        drawn = page.evaluate(
            "[...document.querySelectorAll('#report-charts canvas')]"
            ".every(c => Chart.getChart(c) && Chart.getChart(c).data.labels.length > 0)"
        )
        assert drawn, name
    shot(page, "reports-csat")
    page.goto(f"{daphne_server}/reports/overview/?days=30")
    assert page.get_by_role("cell", name="Billing").first.is_visible()
    assert errors == []
    assert outside == []
