import pytest

from journey.services import ticket_submit
from tickets.models import Status, TicketEvent


@pytest.mark.django_db
def test_ticket_create_stores_ticket_and_first_event(customer):
    result = ticket_submit(subject="Hi", body="Help", channel="api", customer=customer)
    assert result.created
    assert result.ticket.status == Status.OPEN
    assert result.ticket.customer_email == customer.email
    assert TicketEvent.objects.filter(ticket=result.ticket, kind="created").count() == 1


@pytest.mark.django_db
def test_ticket_create_is_idempotent_on_external_id():
    first = ticket_submit(subject="A", body="b", channel="email", external_id="x-1")
    second = ticket_submit(subject="A", body="b", channel="email", external_id="x-1")
    assert not second.created
    assert first.ticket.pk == second.ticket.pk
