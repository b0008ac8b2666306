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
