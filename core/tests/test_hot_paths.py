"""The shared pieces the ingestion fast path stands on: the cache's Redis client and the
prepared-statement cursor."""

import uuid

import pytest
from django.core.cache import cache, caches
from django.db import connection

from core.cache import RedisCache
from core.db import prepared_cursor

pytestmark = pytest.mark.django_db


def test_the_cache_reuses_one_redis_client_and_still_works():
    backend = caches["default"]
    assert isinstance(backend, RedisCache)
    assert backend._cache.get_client("a") is backend._cache.get_client("b", write=True)
    key = f"hot-path-{uuid.uuid4()}"  # Redis outlives a run: another run's keys may be there
    cache.set(key, {"n": 1}, 30)
    assert cache.get(key) == {"n": 1}
    assert cache.add(key, 2, 30) is False
    assert cache.add(f"{key}-2", 2, 30) is True
    assert cache.incr(f"{key}-2") == 3


def test_a_prepared_cursor_prepares_its_statement_once_per_connection():
    sql = "SELECT %s::int + 1"
    with prepared_cursor(connection) as cursor:
        for n in range(3):
            cursor.execute(sql, [n])
            assert cursor.fetchone() == (n + 1,)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT $1::int + 1"],
        )
        assert cursor.fetchone() == (1,)
        # Django's own cursors keep binding on the client, unprepared
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%pg_prepared%"]
        )
        assert cursor.fetchone() == (0,)


def test_errors_through_a_prepared_cursor_are_django_errors():
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), prepared_cursor(connection) as cursor:
        cursor.execute("SELECT 1/%s::int", [0])
