"""The one-click rating page (workspace/views/csat.py): it records the rating without signing in,
answers apps in JSON and offers all five scores; its links are absolute once HELPDESK_PUBLIC_URL
is set."""

import pytest

from tickets.csat import csat_link, csat_links
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(db, customer):
    from django.utils import timezone

    return TicketFactory(customer=customer, status="resolved", resolved_at=timezone.now())


def test_link_asks_then_records_the_rating_without_login(client, resolved):
    link = csat_link(resolved, 5)
    assert link.startswith("/csat/") and link.endswith("/5")
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "You chose <strong>5 out of 5</strong>" in html
    assert f'<form method="post" action="{link}" class="csat-confirm">' in html
    resolved.refresh_from_db()
    assert resolved.csat_score is None  # a GET records nothing
    response = client.post(link)
    assert response.status_code == 200
    assert "you rated us 5 out of 5" in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.csat_score == 5
    assert resolved.csat_at is not None


def test_a_mail_scanner_following_every_link_records_nothing(client, resolved):
    """Issue #17: the link recorded a rating on GET, and scanners follow every link in a mail."""
    for score in range(1, 6):
        assert client.get(csat_link(resolved, score)).status_code == 200
        answer = client.get(csat_link(resolved, score), HTTP_ACCEPT="application/json").json()
        assert answer["changed"] is False and answer["score"] is None
    client.head(csat_link(resolved, 1))
    resolved.refresh_from_db()
    assert resolved.csat_score is None
    assert not resolved.events.filter(kind="csat_rated").exists()


def test_json_for_apps(client, resolved):
    response = client.post(csat_link(resolved, 3), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["score"] == 3
    assert response.json()["ticket_id"] == str(resolved.pk)


def test_choice_page_and_absolute_links(client, resolved, settings):
    response = client.get(csat_link(resolved))
    assert response.status_code == 200
    assert response.content.decode().count("<button") >= 5
    settings.HELPDESK_PUBLIC_URL = "https://help.example.com/"
    links = csat_links(resolved)
    assert sorted(links) == [1, 2, 3, 4, 5]
    assert links[1].startswith("https://help.example.com/csat/")
