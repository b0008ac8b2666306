"""Admin for macros (saved replies with actions, which the AI agent also answers from), for what
the AI agent does (the resolution log: every attempt with its context snapshot, the saved
replies offered, the similar tickets shown as links, what stopped a draft, the draft, its score
and the action) and for the outbox of mail, push and webhook notifications. The log and the
outbox are read-only."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html

from core.exceptions import ApplicationError
from routing.admin_forms import TagsField
from tickets.models import Attachment, Status

from .models import AIResolutionAttempt, Notification, SavedReply
from .services.macros import MACRO_STATUSES, macro_fields_check


class SavedReplyForm(forms.ModelForm):
    set_status = forms.ChoiceField(
        choices=[("", "(leave)"), *((s, Status(s).label) for s in MACRO_STATUSES)],
        required=False,
        help_text="Applying it moves the ticket here, where the lifecycle allows it.",
    )
    add_tags = TagsField(required=False, help_text="Comma-separated, e.g. refund, vip")

    class Meta:
        model = SavedReply
        fields = [
            "name",
            "body",
            "queue",
            "owner",
            "language",
            "set_status",
            "set_priority",
            "set_queue",
            "add_tags",
            "match_text",
            "ai_usable",
            "is_active",
        ]

    def clean(self):
        data = super().clean() or {}
        try:
            data["add_tags"] = macro_fields_check(
                body=data.get("body") or "",
                set_status=data.get("set_status") or "",
                set_priority=data.get("set_priority") or "",
                add_tags=data.get("add_tags") or [],
            )
        except ApplicationError as exc:
            raise forms.ValidationError(
                {name: errors for name, errors in exc.fields.items() if name in self.fields}
                or exc.message
            ) from exc
        return data


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    """Macros: personal (owner), a team's (queue) or global; the text with its actions."""

    form = SavedReplyForm
    list_display = (
        "name",
        "scope",
        "queue",
        "owner",
        "actions_display",
        "ai_usable",
        "is_active",
        "usage_count",
    )
    list_filter = ("ai_usable", "is_active", "queue", "language", "set_status")
    search_fields = ("name", "body", "match_text")
    list_select_related = ("queue", "set_queue", "owner__user")
    readonly_fields = ("usage_count", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "body", ("queue", "owner", "language"))}),
        ("Actions", {"fields": (("set_status", "set_priority"), ("set_queue", "add_tags"))}),
        ("The AI agent", {"fields": ("match_text", ("ai_usable", "is_active"))}),
        (None, {"fields": (("usage_count", "created_at", "updated_at"),)}),
    )

    @admin.display(description="actions")
    def actions_display(self, obj: SavedReply) -> str:
        return "; ".join(obj.action_lines()) or "—"


@admin.register(AIResolutionAttempt)
class AIResolutionAttemptAdmin(admin.ModelAdmin):
    list_display = ("created_at", "ticket", "action", "source", "confidence", "agent")
    list_filter = ("action", "source", "created_at")
    search_fields = ("ticket__subject", "draft")
    list_select_related = ("ticket", "agent__user")
    fields = (
        "ticket",
        "agent",
        ("action", "source", "confidence"),
        "draft",
        "sources_display",
        "similar_display",
        "refused_display",
        "context_display",
        "created_at",
    )
    readonly_fields = tuple(
        name for row in fields for name in (row if isinstance(row, tuple) else (row,))
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="saved replies offered")
    def sources_display(self, obj: AIResolutionAttempt) -> str:
        rows = obj.context.get("sources") or []
        return (
            "; ".join(
                f"{row['name']} ({row['similarity']:.2f}{', used' if row.get('used') else ''})"
                for row in rows
            )
            or "—"
        )

    @admin.display(description="similar solved tickets (links for the agent)")
    def similar_display(self, obj: AIResolutionAttempt) -> str:
        rows = obj.context.get("similar") or []
        return "; ".join(f"{row['subject']} ({row['similarity']:.2f})" for row in rows) or "—"

    @admin.display(description="refused details")
    def refused_display(self, obj: AIResolutionAttempt) -> str:
        return ", ".join(obj.context.get("refused") or []) or "—"

    @admin.display(description="context snapshot")
    def context_display(self, obj: AIResolutionAttempt) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.context, indent=2, ensure_ascii=False))


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: every mail, push and webhook call with its state (read-only; the sender and
    its sweep keep it moving)."""

    list_display = ("created_at", "backend", "event", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "backend", "event")
    search_fields = ("recipient", "key", "message_id", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = ("mail_display",)

    @admin.display(description="mail as sent")
    def mail_display(self, obj: Notification) -> str:
        """A mail row as the recipient's client shows it: the headers that thread it, then the
        text (escaped)."""
        if obj.backend != "email":
            return "—"
        payload = obj.payload or {}
        lines = [
            f"From: {settings.HELPDESK_SUPPORT_ADDRESS}",
            f"To: {obj.recipient}",
            f"Subject: {payload.get('title', '')}",
            *(
                f"{k}: {v}"
                for k, v in ((payload.get("data") or {}).get("mail_headers") or {}).items()
            ),
            "",
            str(payload.get("body", "")),
        ]
        files = Attachment.objects.filter(
            pk__in=(payload.get("data") or {}).get("attachments") or []
        )
        names = ", ".join(files.order_by("created_at", "name").values_list("name", flat=True))
        if names:
            lines += ["", f"Attached: {names}"]
        return format_html("<pre>{}</pre>", "\n".join(lines))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
