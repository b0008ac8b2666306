"""`/api/v1/devices/`: the caller's phones for push notifications."""

import pytest

from agents.models import Notification, PushDevice
from agents.services.notifications import notification_enqueue
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/devices/"


def test_register_is_201_then_200_and_one_row(api, customer):
    first = api(customer).post(URL, {"platform": "ios", "token": " apns-1 "}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["token"] == "apns-1" and first.json()["platform"] == "ios"
    again = api(customer).post(URL, {"platform": "ios", "token": "apns-1"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert PushDevice.objects.filter(user=customer).count() == 1


def test_a_token_signed_in_as_another_account_moves_to_it(api, customer, other_customer):
    api(customer).post(URL, {"platform": "android", "token": "fcm-9"}, format="json")
    moved = api(other_customer).post(URL, {"platform": "android", "token": "fcm-9"}, format="json")
    assert moved.status_code == 200
    assert api(customer).get(URL).json() == []
    assert [d["token"] for d in api(other_customer).get(URL).json()] == ["fcm-9"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "windows", "token": "x"}, "platform"),
        ({"platform": "ios", "token": ""}, "token"),
        ({"platform": "ios", "token": "x" * 501}, "token"),
        ({"platform": "ios"}, "token"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, customer, body, field):
    response = api(customer).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not PushDevice.objects.exists()


def test_each_user_sees_and_removes_only_their_own(api, customer, other_customer):
    mine = api(customer).post(URL, {"platform": "ios", "token": "a"}, format="json").json()
    theirs = api(other_customer).post(URL, {"platform": "ios", "token": "b"}, format="json").json()
    assert [d["token"] for d in api(customer).get(URL).json()] == ["a"]
    assert api(customer).delete(f"{URL}{theirs['id']}/").status_code == 404
    assert PushDevice.objects.filter(pk=theirs["id"]).exists()
    assert api(customer).delete(f"{URL}{mine['id']}/").status_code == 204
    assert api(customer).delete(f"{URL}{mine['id']}/").status_code == 404
    assert not PushDevice.objects.filter(pk=mine["id"]).exists()


def test_anonymous_is_401(api):
    assert api(None).get(URL).status_code == 401
    assert api(None).post(URL, {"platform": "ios", "token": "a"}, format="json").status_code == 401
    assert api(None).delete(f"{URL}1/").status_code == 401


def test_a_registered_phone_gets_the_customer_s_pushes(api, customer, settings):
    settings.HELPDESK_FCM_PROJECT_ID = "demo"
    settings.HELPDESK_FCM_ACCESS_TOKEN = "token"
    api(customer).post(URL, {"platform": "android", "token": "fcm-phone"}, format="json")
    ticket = TicketFactory(customer=customer)
    notification_enqueue(
        event="ticket.replied",
        ticket=ticket,
        audience="customer",
        dedupe="1",
        title="New reply",
        body="An agent answered.",
    )
    pushes = Notification.objects.filter(backend="fcm").values_list("recipient", flat=True)
    assert list(pushes) == ["fcm-phone"]
