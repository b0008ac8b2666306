"""When this process last looked up which classifier version is active. The local classifier
looks again once HELPDESK_MODEL_CHECK_SECONDS (default 5) have passed; activating a version in
the store resets the time, so the process that activated it switches at its next prediction."""

import time

from django.conf import settings

_checked_at = 0.0


def invalidate() -> None:
    """Forget when we last checked, so the next prediction looks at the active version now."""
    global _checked_at
    _checked_at = 0.0


def checked() -> None:
    """The active version was just looked up."""
    global _checked_at
    _checked_at = time.monotonic()


def _check_seconds() -> float:
    return float(getattr(settings, "HELPDESK_MODEL_CHECK_SECONDS", 5))


def fresh(now: float) -> bool:
    """Whether the last look at `now` (time.monotonic()) is recent enough to skip another."""
    return bool(_checked_at) and now - _checked_at < _check_seconds()
