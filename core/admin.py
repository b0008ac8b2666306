from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered

from core.models import ApiToken
from core.tokens import tokens_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "prefix", "name")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # a key is shown once: issue_token prints it

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        count = tokens_revoke(tokens=queryset)
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)


try:  # the old clear-text tokens are converted (core migration 0002) and no longer used
    from rest_framework.authtoken.models import TokenProxy

    admin.site.unregister(TokenProxy)
except (ImportError, NotRegistered):
    pass
