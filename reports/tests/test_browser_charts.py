"""In Chromium: a manager's report pages draw their charts from the vendored Chart.js (no CDN),
each next to the table of its figures, in words, readable on a phone."""

from datetime import timedelta

import pytest

from core.roles import managers_group
from tests.browser.conftest import browser_type_launch_args, shot  # noqa: F401
from tickets import events
from tickets.models import TicketEvent
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
    expected = {"overview": 3, "agents": 2, "routing": 2, "csat": 2, "sla": 2}
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


def _sign_in_manager(page, server):
    manager = UserFactory(username="max@example.com", first_name="Max", last_name="Manager")
    manager.groups.add(managers_group())
    page.goto(f"{server}/accounts/login/")
    page.get_by_label("Username or e-mail").fill("max@example.com")
    page.get_by_label("Password").fill("pass12345")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/workspace/**")


def _handover(world) -> None:
    """T1 went to Ann, then to Ben: two handling segments."""
    ticket, ann, ben = world.tickets["t1"], world.agents["a1"], world.agents["a2"]
    first = events.ticket_assigned_event(
        ticket=ticket, before=None, after=ann.name, reason="", data={"agent_id": ann.pk}
    )
    second = events.ticket_reassigned_event(
        ticket=ticket,
        actor=None,
        field="assigned_agent",
        before=ann.name,
        after=ben.name,
        reason="",
        data={"from_agent_id": ann.pk, "to_agent_id": ben.pk},
    )
    TicketEvent.objects.filter(pk=first.pk).update(created_at=ticket.created_at)
    TicketEvent.objects.filter(pk=second.pk).update(
        created_at=ticket.created_at + timedelta(hours=2)
    )


def test_every_chart_has_its_table_in_words_and_narrow_screens_scroll_tables_only(
    daphne_server,
    page,
    routing_logs,
    shot,  # noqa: F811
):
    _handover(routing_logs)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in_manager(page, daphne_server)
    for name in ("overview", "agents", "routing", "customers", "recurring", "csat", "sla"):
        page.goto(f"{daphne_server}/reports/{name}/?days=30")
        page.wait_for_load_state("load")
        orphans = page.evaluate(
            "[...document.querySelectorAll('#report-charts figure')]"
            ".filter(f => !f.dataset.table || !document.getElementById('table-' + f.dataset.table))"
            ".map(f => f.querySelector('figcaption').textContent)"
        )
        assert orphans == [], name
        headers = page.eval_on_selector_all("th", "cells => cells.map(c => c.textContent)")
        assert not [h for h in headers if "_" in h or h.startswith(("Fr ", "Res "))], name

    page.goto(f"{daphne_server}/reports/agents/?days=30")
    handling = page.locator("#table-handling")
    assert handling.get_by_role("columnheader", name="Tickets handled (segments)").is_visible()
    assert handling.get_by_role("columnheader", name="Handed on").is_visible()
    assert handling.get_by_role("cell", name="Ann A").is_visible()
    assert page.locator("figure[data-table=handling] canvas").count() == 1

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{daphne_server}/reports/sla/?days=30")
    table = page.locator("#table-prediction")
    assert table.get_by_role("columnheader", name="Predicted at risk").is_visible()
    assert table.get_by_role("columnheader", name="Recall (breaches that were foreseen)").count()
    assert page.get_by_text("First response within SLA", exact=True).first.is_visible()
    widths = page.evaluate(
        "({page: document.documentElement.scrollWidth, view: window.innerWidth,"
        " box: document.querySelector('#table-prediction .scroll').clientWidth,"
        " inner: document.querySelector('#table-prediction table').scrollWidth,"
        " overflow: getComputedStyle(document.querySelector('#table-prediction .scroll'))"
        ".overflowX})"
    )
    assert widths["page"] <= widths["view"], widths  # the page never scrolls sideways
    assert widths["inner"] > widths["box"] and widths["overflow"] == "auto", widths
    shot(page, "reports-sla-narrow")
    assert errors == []
