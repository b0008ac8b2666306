"""The SLA admin (sla/admin.py): the calendar (with its holidays) and policy pages render."""

import pytest

from sla.models import BusinessCalendar, Holiday, SLAPolicy
from tickets.tests.admin_support import admin_url, superuser_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return superuser_client(client)


@pytest.fixture
def objects(db):
    calendar = BusinessCalendar.objects.create(name="Berlin", timezone="Europe/Berlin")
    Holiday.objects.create(calendar=calendar, date="2026-12-25", name="Christmas")
    policy = SLAPolicy.objects.create(
        name="Urgent", priority="urgent", first_response_minutes=30, resolution_minutes=240
    )
    return {BusinessCalendar: calendar, SLAPolicy: policy}


@pytest.mark.parametrize("model", [BusinessCalendar, SLAPolicy])
def test_changelist_and_change_view_render(admin_client, objects, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    change = admin_client.get(admin_url(model, "change", objects[model].pk))
    assert change.status_code == 200
