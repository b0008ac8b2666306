"""/workspace/settings/: an agent chooses what they are told about; others are turned away."""

import pytest

from agents.tests.factories import AgentFactory
from tickets.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/workspace/settings/"


def test_an_agent_sees_both_choices_on_and_turns_one_off(client, agent):
    client.force_login(agent.user)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "A ticket is assigned to me" in html
    assert "A customer replies to a ticket assigned to me" in html
    assert html.count("checked") == 2
    saved = client.post(URL, {"notify_on_customer_reply": "on"}, follow=True)
    assert saved.status_code == 200
    assert "Your notification settings are saved." in saved.content.decode()
    agent.refresh_from_db()
    assert (agent.notify_on_assignment, agent.notify_on_customer_reply) == (False, True)
    assert saved.content.decode().count("checked") == 1


def test_each_agent_changes_only_their_own(client, agent):
    other = AgentFactory(user=UserFactory(username="other@example.com"))
    client.force_login(agent.user)
    client.post(URL, {})
    other.refresh_from_db()
    assert (other.notify_on_assignment, other.notify_on_customer_reply) == (True, True)


def test_a_manager_without_tickets_is_told_so(client, manager):
    client.force_login(manager)
    page = client.get(URL)
    assert page.status_code == 200
    assert "You take no tickets" in page.content.decode()


def test_customers_and_strangers_are_turned_away(client, customer):
    assert client.get(URL).status_code == 302
    client.force_login(customer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403
