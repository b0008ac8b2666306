import pytest

from journey.services import comment_add
from tickets.selectors import comment_list

pytestmark = pytest.mark.django_db


def test_only_staff_see_internal_notes(ticket, agent, customer, manager):
    comment_add(ticket=ticket, user=agent.user, body="public answer")
    comment_add(ticket=ticket, user=agent.user, body="internal only", internal=True)

    def bodies(user):
        return [c.body for c in comment_list(ticket=ticket, user=user)]

    assert bodies(agent.user) == bodies(manager) == ["public answer", "internal only"]
    assert bodies(customer) == bodies(None) == ["public answer"]  # None: a status-link visitor
