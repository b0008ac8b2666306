from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agents.models import Agent
from core.roles import user_role
from core.tokens import token_user
from tickets.tests.factories import QueueFactory

pytestmark = pytest.mark.django_db


def issue(*args: str) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip()


def user(email: str):
    return get_user_model().objects.get(username=email)


def test_customer_token_creates_the_user_and_authenticates(api):
    key = issue("New.Person@Example.com", "--role", "customer")
    created = user("new.person@example.com")
    assert token_user(key) == created
    assert user_role(created) == "customer"
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/tickets/").status_code == 200


def test_issuing_again_gives_a_second_token_and_both_work():
    # Keys are stored hashed, so the first cannot be printed again: a new one is issued.
    first = issue("same@example.com")
    second = issue("same@example.com", "--role", "customer")
    assert first != second
    assert token_user(first) == token_user(second) == user("same@example.com")


def test_agent_without_queue_belongs_to_every_queue():
    issue("agent1@example.com", "--role", "agent")
    agent = Agent.objects.get(user__username="agent1@example.com")
    assert agent.all_queues is True
    assert user_role(user("agent1@example.com")) == "agent"


def test_agent_with_queues_belongs_to_those_only():
    QueueFactory(slug="billing")
    QueueFactory(slug="shipping")
    QueueFactory(slug="technical")
    issue("agent2@example.com", "--role", "agent", "--queue", "billing", "--queue", "shipping")
    agent = Agent.objects.get(user__username="agent2@example.com")
    assert agent.all_queues is False
    assert sorted(agent.queues.values_list("slug", flat=True)) == ["billing", "shipping"]


def test_unknown_queue_is_a_clear_error_and_creates_nothing():
    QueueFactory(slug="billing")
    with pytest.raises(CommandError, match="Unknown queue.*nope.*known queues: billing"):
        issue("agent3@example.com", "--role", "agent", "--queue", "nope")
    assert not get_user_model().objects.filter(username="agent3@example.com").exists()


def test_manager_joins_the_managers_group():
    issue("boss@example.com", "--role", "manager")
    boss = user("boss@example.com")
    assert boss.groups.filter(name="managers").exists()
    assert user_role(boss) == "manager"


def test_invalid_email_is_rejected():
    with pytest.raises(CommandError, match="not a valid e-mail"):
        issue("not-an-email", "--role", "customer")
