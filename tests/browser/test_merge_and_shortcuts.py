"""End to end in Chromium: an agent tags a ticket, merges a duplicate into the customer's other
ticket after confirming, and works the workspace from the keyboard."""

import pytest
from playwright.sync_api import expect

from agents.tests.factories import AgentFactory
from tickets.models import Comment, Status, Ticket
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
    target = TicketFactory(
        customer=customer, queue=queue, subject="App crashes on start", status=Status.IN_PROGRESS
    )
    duplicate = TicketFactory(
        customer=customer, queue=queue, subject="Crash again", body="Still crashing today."
    )
    Comment.objects.create(
        ticket=duplicate, author=customer, author_kind="customer", body="Any news?"
    )
    TicketFactory(queue=queue, tags=["crash", "ios"])
    return agent, target, duplicate


def test_merging_a_duplicate_in_the_workspace(daphne_server, page, desk, shot):
    agent, target, duplicate = desk
    base = daphne_server
    _login(page, base, agent.user.username)
    errors: list = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/workspace/tickets/{duplicate.pk}/")

    tag_box = page.get_by_label("Add tags")
    tag_box.click()
    expect(page.locator('#tag-suggestions option[value="crash"]')).to_have_count(1)
    tag_box.fill("Crash, Duplicate")
    page.locator("#tags").get_by_role("button", name="Add").click()
    expect(page.get_by_role("button", name="Remove tag duplicate")).to_be_visible()
    page.get_by_role("button", name="Remove tag duplicate").click()
    expect(page.get_by_role("button", name="Remove tag duplicate")).to_have_count(0)
    assert Ticket.objects.get(pk=duplicate.pk).tags == ["crash"]

    page.get_by_text("Merge into…").click()
    page.get_by_label(f"#{target.ref} App crashes on start").check()
    page.get_by_role("button", name="Merge…").click()
    confirm = page.get_by_role("button", name=f"Merge into #{target.ref}")
    expect(confirm).to_be_visible()
    expect(page.locator("#merge")).to_contain_text("the customer is told once")
    shot(page, "20-merge-confirm")
    assert Ticket.objects.get(pk=duplicate.pk).merged_into_id is None  # only asked so far
    confirm.click()

    expect(page).to_have_url(f"{base}/workspace/tickets/{target.pk}/")
    conversation = page.locator("#conversation")
    expect(conversation).to_contain_text("Any news?")
    expect(conversation).to_contain_text("was combined with this one")
    expect(conversation).to_contain_text("Still crashing today.")
    shot(page, "21-merged-target")
    source = Ticket.objects.get(pk=duplicate.pk)
    assert (source.status, source.merged_into_id) == (Status.CLOSED, target.pk)

    page.goto(f"{base}/workspace/tickets/{duplicate.pk}/")
    page.locator("#merge").get_by_role("link").click()
    expect(page).to_have_url(f"{base}/workspace/tickets/{target.pk}/")
    assert not errors  # htmx processed every element of the page


def test_keyboard_shortcuts(daphne_server, page, desk, shot):
    agent, target, duplicate = desk
    base = daphne_server
    _login(page, base, agent.user.username)
    page.goto(f"{base}/workspace/?view=open")
    rows = page.locator("table.tickets tr[data-ticket-id]")
    expect(rows.first).to_be_visible()
    expect(page.locator("body[data-live=connected]")).to_have_count(1)
    ids = [rows.nth(i).get_attribute("data-ticket-id") for i in range(rows.count())]
    assert len(ids) == 3

    page.keyboard.press("?")
    help_box = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("Write an internal note")
    shot(page, "22-shortcut-help")
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class("kbd-selected")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class("kbd-selected")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/workspace/tickets/{ids[0]}/")
    expect(page.locator("body[data-live=connected]")).to_have_count(1)  # its scripts ran

    reply = page.get_by_label("Reply or internal note")
    internal = page.get_by_label("Internal note (agents only)")
    page.keyboard.press("n")
    expect(reply).to_be_focused()
    expect(internal).to_be_checked()
    reply.type("jk?rs")  # typed, not taken as shortcuts
    expect(reply).to_have_value("jk?rs")
    expect(help_box).to_have_count(0)
    page.keyboard.press("Escape")  # leaves the box
    page.keyboard.press("r")
    expect(reply).to_be_focused()
    expect(internal).not_to_be_checked()
    page.keyboard.press("Escape")
    page.keyboard.press("m")
    expect(page.get_by_label("Find a macro")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("s")
    expect(page.locator("#id_status")).to_be_focused()
    page.locator("#id_status").press("Escape")
    page.keyboard.press("j")  # the next ticket of the list it came from
    expect(page).to_have_url(f"{base}/workspace/tickets/{ids[1]}/")
