"""Rate limits as one counter per client and window (core.api.throttling)."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from core.api import throttling
from core.api.throttling import WindowCounterThrottle
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


@pytest.fixture
def redis_calls(monkeypatch):
    calls = []
    count = throttling.cache_count
    monkeypatch.setattr(
        throttling, "cache_count", lambda *a: calls.append(a[3] if len(a) > 3 else 1) or count(*a)
    )
    monkeypatch.setattr(throttling, "_leases", throttling._Leases())
    cache.clear()
    return calls


def _allowed(rate: str, monkeypatch, n: int, user_id: int = 1) -> list[bool]:
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": rate})
    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=user_id))
    return [throttling.UserRateThrottle().allow_request(request, None) for _ in range(n)]


def test_large_limits_are_leased_a_few_requests_at_a_time(clock, monkeypatch, redis_calls):
    assert _allowed("1000/min", monkeypatch, 12) == [True] * 12
    assert redis_calls == [5, 5, 5]  # a lease of 1000 // 200 requests per round trip


def test_leases_never_admit_more_than_the_limit_across_processes(clock, monkeypatch, redis_calls):
    """Two processes (each with its own leases) share one client's budget of 1,000."""
    processes = [throttling._Leases(), throttling._Leases()]
    admitted = 0
    for n in range(1100):
        monkeypatch.setattr(throttling, "_leases", processes[n % 2])
        admitted += _allowed("1000/min", monkeypatch, 1)[0]
    assert 1000 - 2 * 5 <= admitted <= 1000
    # one round trip per lease of 5 admitted requests, then one per refusal
    assert len(redis_calls) == 1000 // 5 + 100
    clock["t"] += 40  # the next window: a fresh budget, old leases do not count
    assert _allowed("1000/min", monkeypatch, 3) == [True] * 3


def test_small_limits_stay_exact_one_round_trip_per_request(clock, monkeypatch, redis_calls):
    assert _allowed("399/min", monkeypatch, 5) == [True] * 5
    assert redis_calls == [1] * 5
    assert _allowed("3/min", monkeypatch, 4, user_id=2) == [True, True, True, False]


def test_a_lease_is_the_clients_own(clock, monkeypatch, redis_calls):
    assert _allowed("1000/min", monkeypatch, 1, user_id=1) == [True]
    assert _allowed("1000/min", monkeypatch, 1, user_id=2) == [True]
    assert len(redis_calls) == 2


# --- refused authentication is throttled too (issue #17) -----------------------------------


@pytest.mark.parametrize("url", ["/api/v1/tickets/", "/api/v1/agents/", "/api/v1/reports/overview"])
def test_bad_token_and_anonymous_calls_meet_429(clock, monkeypatch, url):
    cache.clear()
    monkeypatch.setattr(throttling.AnonRateThrottle, "THROTTLE_RATES", {"anon": "5/min"})
    guesser = APIClient()
    guesser.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    answers = [guesser.get(url).status_code for _ in range(7)]
    assert answers == [401] * 5 + [429] * 2
    refused = guesser.get(url)
    assert refused.json()["error"] == "rate_limited" and int(refused["Retry-After"]) > 0
    assert APIClient().get(url).status_code == 429  # the same client without a token
    signed_in = APIClient()
    signed_in.force_authenticate(UserFactory())
    assert signed_in.get("/api/v1/tickets/").status_code == 200  # users have their own budget


def test_an_unreachable_cache_admits_the_request_instead_of_failing_it(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min"})
    monkeypatch.setattr(throttling, "cache_count", unreachable)
    assert [client.get(URL).status_code for _ in range(5)] == [200] * 5
