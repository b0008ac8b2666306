"""A request that loses the database answers 503 with Retry-After (core.middleware)."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from core.middleware import DatabaseUnavailableMiddleware
from journey import webhooks
from journey.tests.webhook_helpers import payload, post
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_is_a_503_with_retry_after_in_the_api_shape(monkeypatch, error):
    def lost(**kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(webhooks, "ticket_ingest", lost)
    client = Client()
    client.raise_request_exception = False
    response = post(client, payload())
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"] == "unavailable"
    assert not Ticket.objects.exists()


def test_a_page_that_loses_the_database_is_a_plain_503(rf):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    error = OperationalError("terminating connection due to administrator command")
    response = middleware.process_exception(rf.get("/workspace/"), error)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "retry shortly" in response.content.decode()


def test_other_errors_are_left_to_the_usual_handling(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(webhooks, "ticket_ingest", broken)
    client = Client()
    client.raise_request_exception = False
    assert post(client, payload()).status_code == 500
