"""Attempt counters per key and fixed window on Django's cache: the public web form (per address
and per client) and sign-in (failures per username and per client). The API's own throttles are
in `core.api.throttling`; this is for pages, where an answer is a form error, not DRF's 429."""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from core.cache import cache_count


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int  # attempts per window; 0: no limit
    window: int  # seconds

    def _key(self, key: str) -> str:
        digest = hashlib.sha256(key.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
        return f"hd:rl:{self.scope}:{digest}:{int(time.time()) // self.window}"

    def reached(self, key: str) -> bool:
        """Whether `key` has used up this window's attempts (nothing is counted)."""
        return bool(self.limit) and (cache.get(self._key(key)) or 0) >= self.limit

    def record(self, key: str) -> int:
        """Count one attempt of `key` in this window; the count so far."""
        return cache_count(cache, self._key(key), self.window + 1)

    def retry_after(self) -> int:
        return self.window - int(time.time()) % self.window


def client_ident(request) -> str:
    """The client address as the API's throttles see it (`X-Forwarded-For` past DRF's
    `NUM_PROXIES`, else `REMOTE_ADDR`), so pages and API count the same client."""
    return BaseThrottle().get_ident(request) or "unknown"


def minutes(seconds: int) -> str:
    count = max(1, -(-seconds // 60))
    return f"{count} minute{'s' if count != 1 else ''}"
