"""`GET /api/v1/tickets/?search=words`: full text, within what the caller may see, best first."""

import pytest
from django.db import connection

from journey.services import comment_add
from tickets.tests.factories import QueueFactory, TicketFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


def subjects(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [t["subject"] for t in response.json()["results"]]


def test_search_finds_subject_body_and_public_comments_best_first(api, manager, agent):
    commented = TicketFactory(subject="Account", body="Nothing here.")
    comment_add(ticket=commented, user=agent.user, body="The refund went out today.")
    TicketFactory(subject="Billing", body="Where is my refund?")
    TicketFactory(subject="Refund not received", body="Still waiting.")
    TicketFactory(subject="Unrelated", body="Printer on fire.")
    found = subjects(api(manager).get(URL, {"search": "refund"}))
    if connection.vendor == "postgresql":
        assert found == ["Refund not received", "Billing", "Account"]
    else:
        assert sorted(found) == ["Account", "Billing", "Refund not received"]
    assert api(manager).get(URL, {"search": "refund"}).json()["count"] == 3


def test_search_stays_within_what_the_caller_may_see(api, customer, other_customer, agent):
    TicketFactory(customer=customer, subject="My parcel")
    TicketFactory(customer=other_customer, subject="Their parcel")
    note = TicketFactory(customer=customer, subject="Hello")
    comment_add(ticket=note, user=agent.user, body="parcel lost, do not tell", internal=True)
    assert subjects(api(customer).get(URL, {"search": "parcel"})) == ["My parcel"]
    assert api(None).get(URL, {"search": "parcel"}).status_code in (401, 403)


def test_search_combines_with_filters_and_blank_means_no_search(api, manager):
    TicketFactory(queue=QueueFactory(slug="billing"), subject="Invoice copy")
    TicketFactory(subject="Invoice wrong")
    assert subjects(api(manager).get(URL, {"search": "invoice", "queue": "billing"})) == [
        "Invoice copy"
    ]
    assert len(subjects(api(manager).get(URL, {"search": ""}))) == 2


def test_search_too_long_is_a_clear_400(api, manager):
    response = api(manager).get(URL, {"search": "x" * 201})
    assert response.status_code == 400
    assert "search" in response.json()["fields"]
