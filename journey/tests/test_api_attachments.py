"""Files through the API (CONTRACT "E-mail and attachments"): sent with a new ticket or a comment
as multipart/form-data, listed on both, downloadable only with the ticket's access, always as an
attachment, never rendered, refused over the limit with nothing half-stored."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agents.tests.factories import AgentFactory
from tickets.models import Attachment, Comment, Ticket
from tickets.services.attachments import clean_name, sniff
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory
from tickets.tests.files import HTML, PDF, PNG, SVG

pytestmark = pytest.mark.django_db
TICKETS = "/api/v1/tickets/"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def comments_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/comments/"


def download(client, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_a_customer_sends_a_screenshot_with_a_new_ticket_and_downloads_it(api, customer):
    client = api(customer)
    response = client.post(
        TICKETS,
        {
            "subject": "The app crashes on pay",
            "body": "See the screenshot.",
            "context": json.dumps({"platform": "ios", "app_version": "3.1.0"}),
            "files": [upload("screen shot.png", PNG, "image/png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel"] == "in_app" and data["context"]["app_version"] == "3.1.0"
    [listed] = data["attachments"]
    assert (listed["name"], listed["size"], listed["content_type"]) == (
        "screen shot.png",
        len(PNG),
        "image/png",
    )
    assert listed["url"] == f"http://testserver/api/v1/attachments/{listed['id']}/"

    got, body = download(client, listed["url"])
    assert got.status_code == 200 and body == PNG
    assert got["Content-Type"] == "image/png"
    assert got["Content-Disposition"] == 'attachment; filename="screen shot.png"'
    assert got["X-Content-Type-Options"] == "nosniff"
    assert client.get(TICKETS).json()["results"][0]["attachments"] == [listed]


def test_a_file_is_seen_only_by_those_who_may_see_its_ticket(api, customer, other_customer):
    billing, general = QueueFactory(slug="billing"), QueueFactory(slug="general")
    ticket = TicketFactory(customer=customer, queue=billing)
    response = api(customer).post(
        comments_url(ticket),
        {"body": "Invoice attached", "files": [upload("invoice.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    url = response.json()["attachments"][0]["url"]

    in_billing = AgentFactory(user=UserFactory(username="b@desk.example"), all_queues=False)
    in_billing.queues.add(billing)
    elsewhere = AgentFactory(user=UserFactory(username="g@desk.example"), all_queues=False)
    elsewhere.queues.add(general)
    assert download(api(customer), url)[0].status_code == 200
    assert download(api(in_billing.user), url)[0].status_code == 200
    assert download(api(other_customer), url)[0].status_code == 404
    assert download(api(elsewhere.user), url)[0].status_code == 404
    assert download(api(None), url)[0].status_code == 401
    assert download(api(customer), "/api/v1/attachments/not-a-uuid/")[0].status_code == 404


def test_an_internal_notes_file_never_reaches_the_customer(api, customer, agent):
    ticket = TicketFactory(customer=customer)
    note = api(agent.user).post(
        comments_url(ticket),
        {"body": "Their card log", "internal": "true", "files": [upload("card.txt", b"4111")]},
        format="multipart",
    )
    assert note.status_code == 201, note.content
    url = note.json()["attachments"][0]["url"]
    assert download(api(agent.user), url)[1] == b"4111"
    assert download(api(customer), url)[0].status_code == 404
    assert api(customer).get(comments_url(ticket)).json() == []


def test_a_file_over_the_limit_is_413_and_nothing_is_stored(api, customer, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 1000
    ticket = TicketFactory(customer=customer)
    big = upload("dump.bin", b"\x00" * 1001)
    response = api(customer).post(
        comments_url(ticket), {"body": "Logs", "files": [big]}, format="multipart"
    )
    assert response.status_code == 413, response.content
    assert response.json()["error"] == "payload_too_large"
    assert "dump.bin" in response.json()["detail"]
    opened = api(customer).post(
        TICKETS,
        {"subject": "Logs", "body": "attached", "files": [upload("dump.bin", b"\x00" * 1001)]},
        format="multipart",
    )
    assert opened.status_code == 413
    assert Comment.objects.count() == 0 and Attachment.objects.count() == 0
    assert Ticket.objects.count() == 1  # only the one made above


def test_a_body_declared_over_every_file_at_its_limit_is_refused_before_reading(
    api, customer, settings
):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 100
    settings.HELPDESK_ATTACHMENT_MAX_FILES = 2
    settings.HELPDESK_API_MAX_BYTES = 100
    ticket = TicketFactory(customer=customer)
    response = api(customer).post(
        comments_url(ticket),
        {"body": "x" * 400},
        format="multipart",
    )
    assert response.status_code == 413
    assert Comment.objects.count() == 0


def test_too_many_files_is_a_clear_400(api, customer, settings):
    settings.HELPDESK_ATTACHMENT_MAX_FILES = 2
    ticket = TicketFactory(customer=customer)
    files = [upload(f"{i}.txt", b"hello") for i in range(3)]
    response = api(customer).post(
        comments_url(ticket), {"body": "three", "files": files}, format="multipart"
    )
    assert response.status_code == 400
    assert "at most 2 files" in response.json()["detail"]
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "sniffed"),
    [(HTML, "text/html"), (SVG, "image/svg+xml")],
)
def test_html_and_svg_are_never_served_as_pages_whatever_they_claim(api, customer, data, sniffed):
    ticket = TicketFactory(customer=customer)
    response = api(customer).post(
        comments_url(ticket),
        {"body": "my photo", "files": [upload("photo.png", data, "image/png")]},
        format="multipart",
    )
    listed = response.json()["attachments"][0]
    assert listed["content_type"] == sniffed  # by the bytes, not the declared image/png
    got, body = download(api(customer), listed["url"])
    assert body == data
    assert got["Content-Type"] == "application/octet-stream"
    assert got["Content-Disposition"].startswith("attachment;")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got["Content-Security-Policy"]


def test_a_retry_with_the_same_key_stores_the_files_once(api, customer):
    client = api(customer)
    for _ in range(2):
        response = client.post(
            TICKETS,
            {"subject": "Crash", "body": "again", "files": [upload("a.png", PNG)]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
        assert response.status_code in (200, 201)
    assert Ticket.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_json_comment_still_works_and_lists_no_files(api, customer):
    ticket = TicketFactory(customer=customer)
    response = api(customer).post(comments_url(ticket), {"body": "plain"}, format="json")
    assert response.status_code == 201 and response.json()["attachments"] == []


def test_a_bad_context_in_a_form_is_a_clear_400(api, customer):
    response = api(customer).post(
        TICKETS, {"subject": "x", "body": "y", "context": "{not json"}, format="multipart"
    )
    assert response.status_code == 400
    assert "context" in response.json()["fields"]


def test_file_names_are_cleaned_and_never_a_path_in_the_storage(api, customer):
    ticket = TicketFactory(customer=customer)
    api(customer).post(
        comments_url(ticket),
        {"body": "x", "files": [upload("../../etc/passwd", b"root:x:0:0")]},
        format="multipart",
    )
    stored = Attachment.objects.get()
    assert stored.name == "passwd"
    assert stored.file.name.startswith(f"attachments/{ticket.pk}/")
    assert "passwd" not in stored.file.name and ".." not in stored.file.name


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\shot.png", "shot.png"),
        (".htaccess", "htaccess"),
        ("a\x00b\r\n.txt", "a_b_.txt"),
        ("", "attachment"),
        ("x" * 300 + ".png", "x" * 196 + ".png"),
    ],
)
def test_clean_name(name, cleaned):
    assert clean_name(name) == cleaned


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PNG, "image/png"),
        (PDF, "application/pdf"),
        (b"PK\x03\x04" + b"\x00" * 30, "application/zip"),
        (HTML, "text/html"),
        (b"  <html><body>hi", "text/html"),
        (SVG, "image/svg+xml"),
        ("Grüße aus Köln\n".encode(), "text/plain"),
        (b"\x00\x01\x02\xff\xfe", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_sniff(head, kind):
    assert sniff(head) == kind
