"""The admin of queues, categories, comments and the event log (tickets/admin.py): every page
renders, and the site carries the help desk's title."""

import pytest

from routing.models import RoutingRule
from tickets.models import Category, Comment, Queue, TicketEvent
from tickets.tests.admin_support import admin_url, superuser_client, ticket_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return superuser_client(client)


@pytest.fixture
def objects(customer, agent):
    return ticket_objects(customer, agent)


@pytest.mark.parametrize("model", [Comment, TicketEvent, Queue, Category])
def test_changelist_and_change_view_render(admin_client, objects, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    change = admin_client.get(admin_url(model, "change", objects[model].pk))
    assert change.status_code == 200


def test_admin_index_has_the_help_desk_title(admin_client):
    RoutingRule.objects.create(name="Old apps", conditions="app_version < 3.0")
    html = admin_client.get("/admin/").content.decode()
    assert "Help desk administration" in html
