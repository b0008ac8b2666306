"""Fixtures shared by every app's tests: users in each role, their API clients, a ticket."""

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from agents.tests.factories import AgentFactory
from core.roles import managers_group
from core.tokens import token_issue
from tickets.tests.factories import QueueFactory, TicketFactory, UserFactory

# Property tests (docs/SECURITY.md, "Hostile input"): the suite runs the same examples every time
# (a failure is never a fluke of one run); `--hypothesis-profile=explore` hunts with fresh ones.
hypothesis_settings.register_profile("suite", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", print_blob=True)
hypothesis_settings.load_profile("suite")


@pytest.fixture
def customer(db):
    return UserFactory(username="alice@example.com")


@pytest.fixture
def other_customer(db):
    return UserFactory(username="bob@example.com")


@pytest.fixture
def queue(db):
    return QueueFactory(slug="general", name="General")


@pytest.fixture
def agent(db):
    return AgentFactory(user=UserFactory(username="agent@example.com"))


@pytest.fixture
def manager(db):
    user = UserFactory(username="manager@example.com")
    user.groups.add(managers_group())
    return user


@pytest.fixture
def ticket(db, customer, queue):
    return TicketFactory(customer=customer, queue=queue)


def token_for(user) -> str:
    """A new API key for `user` (stored hashed, like every token)."""
    return token_issue(user=user)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def api(db):
    """`api(user)` gives an API client authenticated as `user` (None: anonymous)."""
    return client_for


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread,
    which the asyncio tests that follow it could not start their own loop beside."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, django_db_blocker):
    """daphne on a free port, pointed at the (already created) test database and this run's
    Redis: HTTP and WebSockets as deployed (pytest-django's live_server is WSGI only). Tests
    that use it commit their data (`django_db(transaction=True)`) so daphne can read it."""
    from tests.processes import ARTIFACTS, start_daphne, stop

    process, url = start_daphne(settings.REDIS_URL, ARTIFACTS / "daphne.log")
    yield url
    stop(process, grace=5)
