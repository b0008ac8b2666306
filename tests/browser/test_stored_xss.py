"""Stored XSS (issue #17): payloads in every user-controlled field (subject, body, comments,
customer names, tags, attachment names, queue names) stay text in the workspace, the customer
pages, the reports and the admin. The page must neither run them (`window.__xss` stays unset)
nor grow the markup they carry: the CSP alone would stop the script, and an escaping bug hidden
behind it is still a bug."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from agents.tests.factories import AgentFactory
from tests.browser.test_live_flows import _login
from tickets.models import Attachment
from tickets.tests.factories import CommentFactory, QueueFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

IMG = '<img src=x class=xss onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
SVG = '<svg class=xss onload="window.__xss=1"></svg>'
PAYLOAD = f"{IMG}{SCRIPT}{SVG}"

INJECTED = """() => ({
    ran: window.__xss !== undefined,
    elements: document.querySelectorAll('img.xss, svg.xss').length,
    // json_script data blocks (type=application/json) carry the text escaped, and never run
    scripts: [...document.scripts]
        .filter(s => !s.type || /javascript|module/.test(s.type))
        .filter(s => s.textContent.includes('__xss')).length,
})"""


def _assert_inert(page, where: str) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # let any handler that could run, run
    found = page.evaluate(INJECTED)
    assert found == {"ran": False, "elements": 0, "scripts": 0}, where


def test_payloads_in_every_field_stay_text(daphne_server, page, shot):
    base = daphne_server
    queue = QueueFactory(slug="xss", name=f"Q {IMG}")
    manager = UserFactory(username="boss@example.com", first_name=f"Boss {IMG}")
    manager.is_staff = manager.is_superuser = True
    manager.save()
    AgentFactory(user=manager)
    customer = UserFactory(
        username="mallory@example.com", first_name=f"Mal {SCRIPT}", last_name=f"Lory {IMG}"
    )
    ticket = TicketFactory(
        queue=queue,
        customer=customer,
        subject=f"Subject {PAYLOAD}",
        body=f"Body {PAYLOAD}",
        tags=[f"tag{IMG}", SCRIPT],
    )
    CommentFactory(ticket=ticket, author=customer, author_kind="customer", body=f"Re {PAYLOAD}")
    attachment = Attachment(ticket=ticket, name=f"{IMG}.txt", size=2, content_type="text/plain")
    attachment.file.save("file.txt", ContentFile(b"hi"), save=False)
    attachment.save()

    page.on("dialog", lambda dialog: dialog.dismiss())
    _login(page, base, customer.username)
    for path in ["/support/tickets/", f"/support/tickets/{ticket.pk}/"]:
        page.goto(f"{base}{path}")
        expect(page.get_by_text("Subject <img", exact=False).first).to_be_visible()
        _assert_inert(page, path)
    shot(page, "xss-customer-ticket")

    page.context.clear_cookies()
    _login(page, base, manager.username)
    expect(page).to_have_url(f"{base}/workspace/")
    pages = [
        "/workspace/",
        f"/workspace/tickets/{ticket.pk}/",
        "/reports/overview/",
        "/reports/customers/",
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        "/admin/tickets/ticket/",
        f"/admin/tickets/queue/{queue.pk}/change/",
        f"/admin/auth/user/{customer.pk}/change/",
    ]
    for path in pages:
        page.goto(f"{base}{path}")
        _assert_inert(page, path)
    page.goto(f"{base}/workspace/tickets/{ticket.pk}/")
    expect(page.get_by_text("Re <img", exact=False).first).to_be_visible()
    shot(page, "xss-workspace-ticket")
