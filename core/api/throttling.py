"""Rate limits as fixed-window counters: one pipelined `INCR` + `EXPIRE NX` on Redis per request.

DRF's stock throttles keep a list of every request's time under the cache key and read, filter
and rewrite the whole list on each request: with a webhook limit of thousands per minute that is a
list of thousands of floats pickled twice per post. A counter per client and window costs one
round trip whatever the rate. The window is fixed (a client may spend its budget at the end of
one window and again at the start of the next); `Retry-After` is the time to the next window.
Without Redis (the embedded default's local-memory cache) the counter uses the cache API.

Large limits are leased: where a limit allows at least `LEASE_SHARE` × 2 requests per window, a
process takes up to `LEASE_MAX` requests of a client's budget at once (`INCRBY`, at most 1/200
of the limit) and admits them from memory, so a busy integration costs a Redis round trip per
lease instead of per request. Nothing over the limit is ever admitted; budget leased by a
process that then sees no more requests of that client is lost for that window, so a client
spread over P processes may be refused up to P × the lease (0.5 % of the limit each) early.
Small limits (under 400 per window, such as the anonymous default of 120 a minute) stay exact,
one round trip per request.

When the cache cannot be reached (Redis down) a request is admitted, not failed: a help desk
keeps taking tickets through a Redis outage and counts again once it is back."""

import logging
import threading

from django.core.cache import cache as default_cache
from django.core.cache import caches
from rest_framework import throttling

from core.cache import cache_count

logger = logging.getLogger(__name__)

LEASE_SHARE = 200  # a lease is at most this fraction (1/200) of a client's limit
LEASE_MAX = 50  # and at most this many requests
LEASES_KEPT = 10_000  # client keys with a lease per process; past it, every lease is dropped


class _Leases:
    """This process's unspent leases: client key -> (window counter, limit, requests left)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.left: dict[str, tuple[str, int, int]] = {}

    def take(self, client: str, counter: str, limit: int) -> bool:
        with self.lock:
            held = self.left.get(client)
            if held is None or held[:2] != (counter, limit) or held[2] <= 0:
                return False
            self.left[client] = (counter, limit, held[2] - 1)
            return True

    def keep(self, client: str, counter: str, limit: int, left: int) -> None:
        with self.lock:
            if len(self.left) >= LEASES_KEPT and client not in self.left:
                self.left = {}  # bounded memory; what those leases held is lost (early 429s)
            self.left[client] = (counter, limit, left)


_leases = _Leases()


def lease_size(limit: int) -> int:
    return max(1, min(LEASE_MAX, limit // LEASE_SHARE))


class WindowCounterThrottle(throttling.SimpleRateThrottle):
    """Replaces SimpleRateThrottle's list of request times; the scope logic of DRF's classes
    (placed before this one in the bases) runs first and then calls this."""

    num_requests: int  # set by SimpleRateThrottle from the parsed rate
    duration: int

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        try:
            return self._allow(key)
        except Exception as exc:  # the cache is unreachable: admit rather than fail the request
            logger.warning("rate limit not counted, cache unavailable: %s", exc)
            return True

    def _allow(self, key: str) -> bool:
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        counter = f"{key}:{window}"
        lease = lease_size(self.num_requests)
        if lease == 1:
            return self._count(counter) <= self.num_requests
        if _leases.take(key, counter, self.num_requests):
            return True
        total = self._count(counter, lease)
        granted = min(lease, self.num_requests - (total - lease))
        if granted <= 0:
            return False
        _leases.keep(key, counter, self.num_requests, granted - 1)
        return True

    def _count(self, key: str, amount: int = 1) -> int:
        cache = caches["default"] if self.cache is default_cache else self.cache
        return cache_count(cache, key, int(self.duration) + 1, amount)

    def wait(self):
        return max(0.0, self.window_end - self.now)


class AnonRateThrottle(throttling.AnonRateThrottle, WindowCounterThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, WindowCounterThrottle):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, WindowCounterThrottle):
    pass
