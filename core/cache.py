"""A window counter on Django's cache, through its public API: rate-limit counters (leased in
large steps by `core.api.throttling`, so they are rarely called on a busy path)."""


def cache_count(cache, key: str, timeout: int, amount: int = 1) -> int:
    """Add `amount` to the counter `key` and return it; a new counter expires after `timeout`
    seconds."""
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between the two calls
        cache.set(key, amount, timeout)
        return amount
