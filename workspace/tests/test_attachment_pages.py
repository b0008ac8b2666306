"""Files where agents and customers work: the workspace reply box, the customer's reply box and
the public form take them; the conversation lists them with links that download them under the
same access as the page, and a status link reaches only its own ticket's public files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from journey import services
from tickets.models import Attachment, Comment, Ticket
from tickets.services.attachments import incoming_bytes
from tickets.tests.factories import TicketFactory
from tickets.tests.files import PDF, PNG

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def png(name="screenshot.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def fetch(client, url: str) -> tuple[int, bytes]:
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, b""
    return 200, b"".join(response.streaming_content)


def test_an_agent_attaches_a_file_to_a_reply_and_sees_it_in_the_conversation(client, agent, ticket):
    client.force_login(agent.user)
    response = client.post(
        f"/workspace/tickets/{ticket.pk}/comment/",
        {"body": "Here is the guide", "attachments": [SimpleUploadedFile("guide.pdf", PDF)]},
        **HX,
    )
    assert response.status_code == 200, response.content
    attachment = Attachment.objects.get(comment__body="Here is the guide")
    page = client.get(f"/workspace/tickets/{ticket.pk}/conversation/").content.decode()
    assert f'href="/api/v1/attachments/{attachment.pk}/"' in page and "guide.pdf" in page
    assert fetch(client, f"/api/v1/attachments/{attachment.pk}/") == (200, PDF)


def test_a_file_over_the_limit_is_an_inline_error_and_nothing_is_sent(
    client, agent, ticket, settings
):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 10
    client.force_login(agent.user)
    response = client.post(
        f"/workspace/tickets/{ticket.pk}/comment/",
        {"body": "Big one", "attachments": [png()]},
        **HX,
    )
    assert response.status_code == 400
    assert "screenshot.png is" in response.content.decode()
    assert "the limit is 10" in response.content.decode()
    assert not Comment.objects.filter(body="Big one").exists()
    assert "Big one" in response.content.decode()  # the text is kept in the box


def test_a_customer_replies_with_a_screenshot_and_never_sees_a_notes_file(client, customer, agent):
    ticket = TicketFactory(customer=customer)
    services.comment_add(
        ticket=ticket,
        user=agent.user,
        body="card log",
        internal=True,
        files=[incoming_bytes(name="card-log.txt", data=b"4111")],
    )
    client.force_login(customer)
    response = client.post(
        f"/support/tickets/{ticket.pk}/reply/",
        {"body": "This is what I see", "attachments": [png()]},
        **HX,
    )
    assert response.status_code == 200, response.content
    mine = Attachment.objects.get(name="screenshot.png")
    page = client.get(f"/support/tickets/{ticket.pk}/").content.decode()
    assert "screenshot.png" in page and "card-log.txt" not in page
    assert fetch(client, f"/api/v1/attachments/{mine.pk}/") == (200, PNG)
    note_file = Attachment.objects.get(name="card-log.txt")
    assert fetch(client, f"/api/v1/attachments/{note_file.pk}/")[0] == 404


def test_a_visitor_sends_a_file_with_the_public_form_and_follows_it_by_link(client, agent):
    response = client.post(
        "/support/new/",
        {
            "email": "visitor@example.com",
            "subject": "Broken checkout",
            "body": "See attached",
            "attachments": [png("checkout.png")],
        },
    )
    assert response.status_code == 302, response.content
    ticket = Ticket.objects.get()
    [attachment] = ticket.attachments.all()
    status_page = response.url.split("testserver")[-1]
    page = client.get(status_page).content.decode()
    link = f"{status_page}files/{attachment.pk}/"
    assert f'href="{link}"' in page and "checkout.png" in page
    assert fetch(client, link) == (200, PNG)

    other = TicketFactory()
    foreign = services.comment_add(
        ticket=other,
        user=agent.user,
        body="x",
        files=[incoming_bytes(name="other.txt", data=b"other customer's")],
    )
    note = services.comment_add(
        ticket=ticket,
        user=agent.user,
        body="y",
        internal=True,
        files=[incoming_bytes(name="note.txt", data=b"internal")],
    )
    assert fetch(client, f"{status_page}files/{foreign.attachments.get().pk}/")[0] == 404
    assert fetch(client, f"{status_page}files/{note.attachments.get().pk}/")[0] == 404
    assert "note.txt" not in client.get(status_page).content.decode()


def test_file_names_are_escaped_wherever_they_are_shown(client, agent, ticket):
    services.comment_add(
        ticket=ticket,
        user=agent.user,
        body="x",
        files=[incoming_bytes(name='a&b \'"x".png', data=PNG)],
    )
    client.force_login(agent.user)
    page = client.get(f"/workspace/tickets/{ticket.pk}/").content.decode()
    assert "a&amp;b &#x27;_x_.png" in page
