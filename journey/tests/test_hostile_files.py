"""Hostile files as attachments (issue #17): the help desk stores files, it never unpacks or
renders them. A zip bomb is kept as the small file it is and handed back as a download; a
polyglot is served as the type its first bytes say, with nosniff and attachment disposition,
and a file that starts as HTML is never served as a page."""

import io
import zipfile

import pytest

from tickets.models import Attachment
from tickets.tests.files import PNG

from .test_api_attachments import download, upload

pytestmark = pytest.mark.django_db
TICKETS = "/api/v1/tickets/"


def zip_bomb() -> tuple[bytes, int]:
    """A zip of 16 zips of 16 files of 10 MB of zeros: about 40 KB that expands to 2.5 GB."""
    inner = io.BytesIO()
    zeros = bytes(10 * 1024 * 1024)
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for n in range(16):
            archive.writestr(f"{n}.bin", zeros)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for n in range(16):
            archive.writestr(f"{n}.zip", inner.getvalue())
    return outer.getvalue(), 16 * 16 * len(zeros)


def send(client, name: str, data: bytes):
    response = client.post(
        TICKETS,
        {"subject": "Logs", "body": "Attached.", "files": [upload(name, data)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    [listed] = response.json()["attachments"]
    return listed


def test_a_zip_bomb_is_stored_as_is_never_expanded_and_downloaded_as_a_zip(
    api, customer, settings, monkeypatch
):
    data, expanded = zip_bomb()
    assert len(data) < settings.HELPDESK_ATTACHMENT_MAX_BYTES < expanded
    opened = []
    real_zipfile = zipfile.ZipFile
    monkeypatch.setattr(
        zipfile, "ZipFile", lambda *a, **k: opened.append(a) or real_zipfile(*a, **k)
    )

    client = api(customer)
    listed = send(client, "logs.zip", data)
    assert (listed["size"], listed["content_type"]) == (len(data), "application/zip")
    stored = Attachment.objects.get()
    with stored.file.open("rb") as handle:
        assert handle.read() == data  # the bytes as sent, not their contents
    got, body = download(client, listed["url"])
    assert opened == []  # nothing opened the archive, on the way in or out
    assert got.status_code == 200 and body == data
    assert got["Content-Type"] == "application/zip"
    assert got["Content-Disposition"] == 'attachment; filename="logs.zip"'
    assert got["X-Content-Type-Options"] == "nosniff"


GIF_JS = b"GIF89a/*\x01\x00\x01\x00\x00\xff\x00,*/=1;alert(document.domain);//" + b"\x00" * 16
PNG_HTML = (
    PNG[:-12] + b"<html><body><script>alert(document.cookie)</script></body></html>" + PNG[-12:]
)
HTML_GIF = b"<html><script>alert(1)</script></html>\nGIF89a\x01\x00\x01\x00"
HTML_PNG = b"<!DOCTYPE html><svg onload=alert(1)>" + PNG


@pytest.mark.parametrize(
    ("name", "data", "sniffed", "served"),
    [
        ("cat.gif", GIF_JS, "image/gif", "image/gif"),
        ("cat.js", GIF_JS, "image/gif", "image/gif"),
        ("shot.png", PNG_HTML, "image/png", "image/png"),
        ("shot.html", PNG_HTML, "image/png", "image/png"),
        ("cat.gif", HTML_GIF, "text/html", "application/octet-stream"),
        ("shot.png", HTML_PNG, "image/svg+xml", "application/octet-stream"),
    ],
    ids=[
        "gif-js",
        "gif-js-named-js",
        "png-html",
        "png-html-named-html",
        "html-gif",
        "html-svg-png",
    ],
)
def test_a_polyglot_is_served_as_its_sniffed_type_and_never_as_a_page(
    api, customer, name, data, sniffed, served
):
    client = api(customer)
    listed = send(client, name, data)
    assert listed["content_type"] == sniffed
    got, body = download(client, listed["url"])
    assert got.status_code == 200 and body == data
    assert got["Content-Type"] == served
    assert got["Content-Disposition"].startswith("attachment;")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got["Content-Security-Policy"]


def test_a_zip_bomb_mailed_in_is_kept_as_the_small_file_it_is(settings):
    from email.message import EmailMessage

    from journey.tests.test_mail_in import post

    settings.HELPDESK_INGEST_DEFERRED = False
    data, _ = zip_bomb()
    message = EmailMessage()
    message["From"] = "customer@example.com"
    message["Message-ID"] = "<bomb@example.com>"
    message["Subject"] = "Logs"
    message.set_content("Attached.")
    message.add_attachment(data, maintype="application", subtype="zip", filename="logs.zip")
    response = post(message.as_bytes())
    assert response.status_code == 201, response.content
    stored = Attachment.objects.get()
    assert (stored.name, stored.size, stored.content_type) == (
        "logs.zip",
        len(data),
        "application/zip",
    )
