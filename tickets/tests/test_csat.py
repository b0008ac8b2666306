"""CSAT (tickets/csat.py), through the one-click link as a customer uses it: a rating is recorded
once and updated by another, only from 1 to 5, only on a resolved ticket and only with a token
signed for CSAT."""

import pytest
from django.core import signing

from tickets.csat import csat_link, csat_token
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(db, customer):
    from django.utils import timezone

    return TicketFactory(customer=customer, status="resolved", resolved_at=timezone.now())


def _events(ticket):
    return TicketEvent.objects.filter(ticket=ticket, kind="csat_rated")


def test_same_rating_again_changes_nothing_and_another_updates(client, resolved):
    client.post(csat_link(resolved, 4))
    first_at = Ticket.objects.get(pk=resolved.pk).csat_at
    client.post(csat_link(resolved, 4))
    assert Ticket.objects.get(pk=resolved.pk).csat_at == first_at
    assert _events(resolved).count() == 1
    response = client.post(csat_link(resolved, 2))
    assert response.status_code == 200
    resolved.refresh_from_db()
    assert resolved.csat_score == 2
    event = _events(resolved).order_by("-id").first()
    assert (event.before, event.after) == (4, 2)


def test_tampered_or_foreign_token_is_404(client, resolved):
    token = csat_token(ticket=resolved)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/csat/{tampered}/5").status_code == 404
    other_salt = signing.dumps(str(resolved.pk), salt="something-else")
    assert client.get(f"/csat/{other_salt}/5").status_code == 404
    response = client.get(f"/csat/{tampered}/5", HTTP_ACCEPT="application/json")
    assert response.json()["error"] == "not_found"
    resolved.refresh_from_db()
    assert resolved.csat_score is None


@pytest.mark.parametrize("score", ["0", "6", "x"])
def test_score_outside_1_to_5_is_400(client, resolved, score):
    response = client.get(f"/csat/{csat_token(ticket=resolved)}/{score}")
    assert response.status_code == 400
    resolved.refresh_from_db()
    assert resolved.csat_score is None


def test_unresolved_ticket_cannot_be_rated(client, ticket):
    response = client.get(csat_link(ticket, 5), HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert response.json()["error"] == "not_resolved"
