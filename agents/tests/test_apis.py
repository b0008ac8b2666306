"""`GET /api/v1/agents/`: managers see every agent with capacity and current load."""

import pytest

from agents.tests.factories import AgentFactory, SkillFactory
from tickets.tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/agents/"


def test_manager_sees_agents_with_open_ticket_counts(api, manager):
    billing, german = SkillFactory(slug="billing"), SkillFactory(slug="german")
    anna = AgentFactory(
        user=UserFactory(username="anna", first_name="Anna", last_name="Berg"),
        languages=["de", "en"],
        max_tickets=5,
        is_available=False,
    )
    anna.skills.add(german, billing)
    AgentFactory(user=UserFactory(username="zed", first_name="", last_name=""))
    for status in ["open", "assigned", "in_progress", "pending_customer", "escalated"]:
        TicketFactory(assigned_agent=anna, status=status)
    for status in ["resolved", "closed"]:
        TicketFactory(assigned_agent=anna, status=status)

    response = api(manager).get(URL)
    assert response.status_code == 200
    by_name = {item["name"]: item for item in response.json()}
    assert by_name["Anna Berg"] == {
        "id": anna.pk,
        "name": "Anna Berg",
        "kind": "human",
        "skills": ["billing", "german"],
        "languages": ["de", "en"],
        "timezone": "UTC",
        "max_tickets": 5,
        "open_tickets": 5,
        "is_available": False,
    }
    assert by_name["zed"]["open_tickets"] == 0
    assert by_name["zed"]["skills"] == []


def test_query_count_does_not_grow_with_agents(api, manager, django_assert_max_num_queries):
    for _ in range(12):
        agent = AgentFactory()
        agent.skills.add(SkillFactory())
        TicketFactory(assigned_agent=agent)
    client = api(manager)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert len(response.json()) == 12


@pytest.mark.parametrize(("role", "expected"), [("customer", 403), ("agent", 403), (None, 401)])
def test_only_managers(api, request, role, expected):
    user = request.getfixturevalue(role) if role else None
    if role == "agent":
        user = user.user
    response = api(user).get(URL)
    assert response.status_code == expected
    assert response.json()["error"] in {"forbidden", "unauthenticated"}
