"""API tokens hashed at rest (core.models.ApiToken): issue, check, revoke.

A key is 40 random characters shown once; the database keeps its SHA-256 (a random key of that
length needs no slow hash: nothing can be guessed from the digest). `last_used_at` is written
at most once a minute, so a busy app does not turn every read into a write."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.models import ApiToken

TOUCH_EVERY = timedelta(minutes=1)


def token_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user, name: str = "", days: int | None = None) -> str:
    """A new token for `user`; returns its key (the only time it is seen). `days` defaults to
    HELPDESK_TOKEN_DAYS (None: no expiry)."""
    if days is None:
        days = settings.HELPDESK_TOKEN_DAYS
    key = secrets.token_hex(20)
    ApiToken.objects.create(
        user=user,
        key_hash=token_key_hash(key),
        prefix=key[:8],
        name=name,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    return key


def token_user(key: str):
    """The active user whose live token this is, or None (unknown, expired, revoked)."""
    if not key or len(key) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_key_hash(key), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def tokens_revoke(*, user=None, tokens=None) -> int:
    """Revoke every live token of `user`, or the given queryset; returns how many."""
    queryset = tokens if tokens is not None else ApiToken.objects.filter(user=user)
    return queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
