"""The agent and skill admin (agents/admin.py): its pages render, agents can be searched, and the
agent list counts open tickets in SQL."""

import pytest

from agents.models import Agent, Skill
from agents.tests.factories import AgentFactory, SkillFactory
from tickets.models import Status
from tickets.tests.admin_support import admin_url, superuser_client, ticket_objects
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return superuser_client(client)


@pytest.fixture
def objects(customer, agent):
    skill = SkillFactory(slug="billing", name="Billing")
    agent.skills.add(skill)
    return {**ticket_objects(customer, agent), Skill: skill, Agent: agent}


@pytest.mark.parametrize("model", [Skill, Agent])
def test_changelist_and_change_view_render(admin_client, objects, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    change = admin_client.get(admin_url(model, "change", objects[model].pk))
    assert change.status_code == 200


def test_agent_changelist_search(admin_client, objects):
    assert admin_client.get(admin_url(Agent, "changelist"), {"q": "agent"}).status_code == 200


def test_agent_list_shows_open_tickets_counted_in_sql(
    admin_client, objects, agent, django_assert_max_num_queries
):
    for _ in range(3):
        AgentFactory()
    TicketFactory(assigned_agent=agent, status=Status.CLOSED)
    TicketFactory(assigned_agent=agent, status=Status.IN_PROGRESS)
    with django_assert_max_num_queries(12):
        html = admin_client.get(admin_url(Agent, "changelist")).content.decode()
    assert 'class="field-open_tickets">2<' in html


def test_agent_admin_edits_notification_preferences(admin_client, agent):
    page = admin_client.get(admin_url(Agent, "change", agent.pk))
    html = page.content.decode()
    assert "Tell me when a ticket is assigned to me" in html
    assert "Tell me when a customer replies to my ticket" in html


def _macro_form(**fields) -> dict:
    return {
        "name": "Refund sent",
        "body": "Hi {{ customer_name }}, your refund is on its way.",
        "set_status": "resolved",
        "set_priority": "",
        "add_tags": "refund, vip, refund",
        "match_text": "",
        "language": "",
        "ai_usable": "on",
        "is_active": "on",
        **fields,
    }


def test_macro_admin_adds_a_macro_with_actions(admin_client, queue):
    from agents.models import SavedReply

    response = admin_client.post(admin_url(SavedReply, "add"), _macro_form(set_queue=queue.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    macro = SavedReply.objects.get()
    assert (macro.set_status, macro.add_tags, macro.set_queue, macro.scope) == (
        "resolved",
        ["refund", "vip"],
        queue,
        "global",
    )
    listed = admin_client.get(admin_url(SavedReply, "changelist")).content.decode()
    assert "Status → resolved" in listed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "Hi {{ name }}"}, "Unknown placeholder {{ name }}"),
        ({"set_status": "open"}, "Select a valid choice"),
        ({"add_tags": "x" * 51}, "at most 50"),
    ],
)
def test_macro_admin_refuses_what_would_fail_on_every_ticket(admin_client, fields, message):
    from agents.models import SavedReply

    response = admin_client.post(admin_url(SavedReply, "add"), _macro_form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SavedReply.objects.exists()
