"""Django's Redis cache, with one `redis.Redis` client per connection pool instead of one per call.

`django.core.cache.backends.redis.RedisCacheClient.get_client` builds a new `redis.Redis` for every
cache operation; with redis-py 8 that object sets up its table of response callbacks each time,
which costs more CPU than the Redis round trip itself (measured: about 0.4 ms of a 0.6 ms `add`).
A `redis.Redis` is safe to share between threads (connections come from its pool), so it is built
once per pool. Everything else is Django's backend, unchanged."""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key: str, timeout: int, amount: int = 1) -> int:
        """Add `amount` to the counter `key` and return it; a new counter expires after `timeout`
        seconds. One pipelined round trip (`INCRBY`, `EXPIRE NX`), where `add` + `incr` are
        three."""
        key = self.make_and_validate_key(key)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.incrby(key, amount)
        pipe.expire(key, timeout, nx=True)
        return int(pipe.execute()[0])


def cache_count(cache, key: str, timeout: int, amount: int = 1) -> int:
    """`RedisCache.count` on any Django cache (the embedded default's local memory: add + incr)."""
    if isinstance(cache, RedisCache):
        return cache.count(key, timeout, amount)
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between the two calls
        cache.set(key, amount, timeout)
        return amount
