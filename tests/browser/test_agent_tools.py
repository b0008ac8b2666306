"""In Chromium: an agent applies a macro after previewing it, and bulk-resolves from the list."""

import pytest
from playwright.sync_api import expect

from agents.models import SavedReply
from agents.tests.factories import AgentFactory
from tickets.models import Comment, Ticket
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

from .test_live_flows import _login

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(db):
    queue = QueueFactory(slug="general", name="General")
    agent = AgentFactory(
        user=UserFactory(username="ana@example.com", first_name="Ana", last_name="Agent")
    )
    customer = UserFactory(username="cara@example.com", first_name="Cara", last_name="Customer")
    return queue, agent, customer


def test_apply_a_macro_after_its_preview(daphne_server, page, desk, shot):
    queue, agent, customer = desk
    ticket = TicketFactory(
        queue=queue,
        customer=customer,
        assigned_agent=agent,
        status="in_progress",
        subject="Refund for order 1042",
    )
    SavedReply.objects.create(name="Password reset link", body="Use the link we sent.")
    SavedReply.objects.create(
        name="Refund issued",
        body="Hi {{ customer_name }}, your refund for {{ ticket_ref }} is on its way.\n"
        "{{ agent_name }}",
        set_status="resolved",
        add_tags=["refund"],
    )
    _login(page, daphne_server, agent.user.username)
    page.goto(f"{daphne_server}/workspace/tickets/{ticket.pk}/")
    expect(page.locator("body[data-live=connected]")).to_have_count(1)

    page.get_by_label("Find a macro").fill("refund")
    macros = page.locator("#macro-list")
    expect(macros.get_by_role("button", name="Password reset link")).to_have_count(0)
    macros.get_by_role("button", name="Refund issued").click()

    preview = page.locator("#macro-preview")
    expect(preview).to_contain_text(f"Hi Cara Customer, your refund for {ticket.ref}")
    expect(preview).to_contain_text("Ana Agent")
    expect(preview).to_contain_text("Status → resolved")
    expect(preview).to_contain_text("Tags + refund")
    assert not Comment.objects.filter(ticket=ticket).exists()  # nothing sent by a preview
    shot(page, "macro-01-preview")

    preview.get_by_role("button", name="Apply").click()
    expect(preview).to_contain_text("Applied “Refund issued”")
    expect(page.locator("#conversation")).to_contain_text(
        "Hi Cara Customer, your refund for", timeout=10_000
    )
    expect(page.locator("#facts [data-field=status]")).to_have_text("resolved", timeout=10_000)
    shot(page, "macro-02-applied")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.tags) == ("resolved", ["refund"])


def test_bulk_resolve_two_tickets_from_the_list(daphne_server, page, desk, shot):
    queue, agent, customer = desk
    first = TicketFactory(queue=queue, status="in_progress", subject="Printer jams")
    second = TicketFactory(queue=queue, status="pending_customer", subject="Toner is empty")
    bystander = TicketFactory(queue=queue, status="in_progress", subject="Keep me open")
    _login(page, daphne_server, agent.user.username)
    page.goto(f"{daphne_server}/workspace/?view=open")
    expect(page.locator("body[data-live=connected]")).to_have_count(1)

    page.get_by_label("Select: Printer jams").check()
    page.get_by_label("Select: Toner is empty").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("2 tickets selected")
    page.get_by_label("Action", exact=True).select_option("status")
    page.get_by_label("Status", exact=True).select_option("resolved")
    shot(page, "bulk-01-selected")
    page.get_by_role("button", name="Apply to selected").click()

    expect(page.locator("#bulk-results")).to_contain_text("2 of 2 tickets changed.")
    # the list refreshes: resolved tickets leave the open list, the other one stays
    expect(page.locator(f'tr[data-ticket-id="{first.pk}"]')).to_have_count(0, timeout=10_000)
    expect(page.locator(f'tr[data-ticket-id="{second.pk}"]')).to_have_count(0)
    expect(page.locator(f'tr[data-ticket-id="{bystander.pk}"]')).to_have_count(1)
    shot(page, "bulk-02-done")
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[bystander.pk]) == (
        "resolved",
        "resolved",
        "in_progress",
    )


def test_select_all_in_view_ticks_every_row(daphne_server, page, desk):
    queue, agent, _ = desk
    for n in range(3):
        TicketFactory(queue=queue, status="in_progress", subject=f"Ticket {n}")
    _login(page, daphne_server, agent.user.username)
    page.goto(f"{daphne_server}/workspace/?view=open")
    page.get_by_label("Select all in view").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("3 tickets selected")
    expect(page.locator("[data-bulk-pick]:checked")).to_have_count(3)
