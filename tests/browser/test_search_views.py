"""In Chromium: an agent searches the workspace and sees the match highlighted; saves a filter
as a view and watches its sidebar count follow a live change."""

import pytest
from django.db import connection
from playwright.sync_api import expect

from agents.tests.factories import AgentFactory
from live import realtime
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill("pass12345")
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def agent(db):
    return AgentFactory(
        user=UserFactory(username="ana@example.com", first_name="Ana", last_name="Agent")
    )


def test_search_highlights_the_match(daphne_server, page, agent, shot):
    queue = QueueFactory(slug="general", name="General")
    TicketFactory(
        queue=queue,
        subject="Checkout problem",
        body="<b>After</b> entering the voucher the payment page stays blank.",
        language="en",
    )
    TicketFactory(queue=queue, subject="Password reset", body="No mail arrives.", language="en")
    _login(page, daphne_server, agent.user.username)
    page.get_by_label("Search tickets").fill("vouchers")
    page.get_by_role("button", name="Search").click()

    rows = page.locator("table.tickets tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".snippet mark")).to_have_text("voucher")  # stemmed: vouchers
    expect(rows.first.locator(".snippet b")).to_have_count(0)  # ticket markup never renders
    shot(page, "search-highlight")


def test_saved_view_count_follows_live_changes(daphne_server, page, agent, shot):
    queue = QueueFactory(slug="general", name="General")
    TicketFactory(queue=queue, subject="Down for everyone", priority="urgent")
    calm = TicketFactory(queue=queue, subject="A small question", priority="low")
    _login(page, daphne_server, agent.user.username)
    page.get_by_role("link", name="Filter tickets").click()
    page.get_by_label("Priority").select_option("urgent")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.tickets tbody tr")).to_have_count(1)
    page.get_by_label("Save as view").fill("Urgent now")
    page.get_by_role("button", name="Save view").click()

    link = page.locator("#view-nav a", has_text="Urgent now")
    expect(link).to_have_attribute("aria-current", "page")
    expect(link.locator(".count")).to_have_text("1")
    expect(page.locator("body[data-live=connected]")).to_have_count(1)

    calm.priority = "urgent"
    calm.save(update_fields=["priority"])
    realtime.publish("ticket.routed", calm, {"priority": "urgent"})
    connection.close()
    expect(link.locator(".count")).to_have_text("2", timeout=5_000)
    expect(page.locator("table.tickets tbody tr")).to_have_count(2)
    shot(page, "saved-view-live-count")
