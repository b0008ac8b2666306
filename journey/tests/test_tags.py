"""Tags by hand (the service macros and bulk actions write through)."""

import pytest

from core.exceptions import ApplicationError, NotAllowed
from journey.services import ticket_tags_change
from tickets.models import Ticket, TicketEvent
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_add_and_remove_with_one_event(agent, queue):
    ticket = TicketFactory(queue=queue, tags=["vip", "mobile"])
    ticket_tags_change(
        ticket=ticket, user=agent.user, add=[" refund ", "vip", ""], remove=["mobile"], reason="r"
    )
    assert Ticket.objects.get(pk=ticket.pk).tags == ["vip", "refund"]
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.field, event.before, event.after, event.actor, event.reason) == (
        "corrected",
        "tags",
        ["vip", "mobile"],
        ["vip", "refund"],
        agent.user,
        "r",
    )


def test_no_change_writes_nothing(agent, queue):
    ticket = TicketFactory(queue=queue, tags=["vip"])
    ticket_tags_change(ticket=ticket, user=agent.user, add=["vip"], remove=["absent"])
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize("add", [["x" * 51], [f"t{n}" for n in range(21)]])
def test_too_long_or_too_many_is_refused(agent, queue, add):
    ticket = TicketFactory(queue=queue)
    with pytest.raises(ApplicationError):
        ticket_tags_change(ticket=ticket, user=agent.user, add=add)
    assert Ticket.objects.get(pk=ticket.pk).tags == []


def test_customers_cannot_tag(customer, ticket):
    with pytest.raises(NotAllowed):
        ticket_tags_change(ticket=ticket, user=customer, add=["x"])
