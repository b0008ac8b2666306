from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """An API token, kept only as the SHA-256 of its key: the key is shown once, at issue.

    `Authorization: Token <key>` (REST) and `?token=<key>` (WebSockets) sign in with it until it
    expires or is revoked (core/tokens.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # the key's first characters, so a person can tell their tokens apart (not enough to use one)
    prefix = models.CharField(max_length=8, editable=False)
    name = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
