"""Rate limits as fixed-window counters: one pipelined `INCR` + `EXPIRE NX` on Redis per request.

DRF's stock throttles keep a list of every request's time under the cache key and read, filter
and rewrite the whole list on each request: with a webhook limit of thousands per minute that is a
list of thousands of floats pickled twice per post. A counter per client and window costs one
round trip whatever the rate. The window is fixed (a client may spend its budget at the end of
one window and again at the start of the next); `Retry-After` is the time to the next window.
Without Redis (the embedded default's local-memory cache) the counter uses the cache API."""

from django.core.cache import caches
from rest_framework import throttling
from rest_framework.throttling import default_cache

from helpdesk.cache import cache_count


class WindowCounterThrottle(throttling.SimpleRateThrottle):
    """Replaces SimpleRateThrottle's list of request times; the scope logic of DRF's classes
    (placed before this one in the bases) runs first and then calls this."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        return self._count(f"{self.key}:{window}") <= self.num_requests

    def _count(self, key: str) -> int:
        cache = caches["default"] if self.cache is default_cache else self.cache
        return cache_count(cache, key, int(self.duration) + 1)

    def wait(self):
        return max(0.0, self.window_end - self.now)


class AnonRateThrottle(throttling.AnonRateThrottle, WindowCounterThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, WindowCounterThrottle):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, WindowCounterThrottle):
    pass
