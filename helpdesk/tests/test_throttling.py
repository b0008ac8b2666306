"""Rate limits as one counter per client and window (helpdesk.api.throttling)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from helpdesk.api.throttling import WindowCounterThrottle
from tickets.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 60 * 16_667 + 20.0}  # 20 s into a window of a minute
    monkeypatch.setattr(WindowCounterThrottle, "timer", lambda self: now["t"])
    return now


@pytest.fixture
def client():
    cache.clear()
    api = APIClient()
    api.force_authenticate(UserFactory())
    return api


def test_the_limit_is_per_window_and_retry_after_is_the_time_to_the_next(
    client, clock, monkeypatch
):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min"})
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = client.get(URL)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert refused.json()["retry_after"] == 40
    clock["t"] += 40  # the next minute: a fresh budget
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_each_user_has_their_own_counter(client, clock, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min"})
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.get(URL).status_code == 200


def test_the_counter_expires_with_its_window(client, clock, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "5/min"})
    client.get(URL)
    keys = [key for key in cache._cache.get_client().keys("*throttle*")]
    assert len(keys) == 1
    assert 0 < cache._cache.get_client().ttl(keys[0]) <= 61
