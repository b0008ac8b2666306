"""Configuration reads remembered for a short, explicit scope (a batch of intakes).

Routing rules, urgency phrases, SLA policies and business calendars are read for every ticket
taken in, and they change rarely (an admin's edit). Inside `config_memo()`, as the intake drain
uses it around a batch, `memoized(key, read)` reads each once and reuses it for at most
`max_age` seconds, so an admin's change reaches the next tickets within that time. Outside a
scope every call reads the database, as before. Values must be immutable or copied by the
caller."""

import contextvars
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar("config_memo", default=None)
MAX_AGE = 5.0  # seconds


@contextmanager
def config_memo(max_age: float = MAX_AGE):
    token = _scope.set({"__max_age__": max_age})
    try:
        yield
    finally:
        _scope.reset(token)


def memoized(key: tuple, read: Callable[[], Any]) -> Any:
    memo = _scope.get()
    if memo is None:
        return read()
    now = time.monotonic()
    hit = memo.get(key)
    if hit is not None and now - hit[0] < memo["__max_age__"]:
        return hit[1]
    value = read()
    memo[key] = (now, value)
    return value
