"""Pluggable notification backends, chosen by dotted path in `HELPDESK_NOTIFICATION_BACKENDS`."""

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Backend, DeliveryError, Message


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> tuple[Backend, ...]:
    return tuple(import_string(path)() for path in paths)


def configured_backends() -> tuple[Backend, ...]:
    return _load(tuple(getattr(settings, "HELPDESK_NOTIFICATION_BACKENDS", ())))


def backend_named(name: str) -> Backend | None:
    return next((b for b in configured_backends() if b.name == name), None)


__all__ = ["Backend", "DeliveryError", "Message", "backend_named", "configured_backends"]
