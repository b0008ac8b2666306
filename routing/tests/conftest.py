import pytest

from tickets.tests.factories import QueueFactory


@pytest.fixture
def billing(db):
    return QueueFactory(slug="billing", name="Billing")


@pytest.fixture
def tech(db):
    return QueueFactory(slug="tech", name="Tech")
