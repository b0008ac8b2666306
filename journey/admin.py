"""The ticket in Django admin: its conversation and history inline; corrections and closing go
through the journey's services, as in the workspace."""

import json

from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from core.exceptions import ApplicationError
from tickets.models import OPEN_STATUSES, Attachment, Comment, Status, Ticket, TicketEvent

from .models import Mailbox
from .services.changes import ticket_correct
from .services.imap import mailbox_poll
from .services.status import ticket_change_status


def _short(value, limit: int = 80) -> str:
    if value is None or value == "":
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    can_delete = False
    fields = ("created_at", "author_kind", "author", "internal", "body")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    """The ticket's files (read-only); each downloads through the API's access check."""

    model = Attachment
    extra = 0
    can_delete = False
    fields = ("created_at", "download", "size", "content_type", "comment", "uploaded_by")
    readonly_fields = fields
    ordering = ("created_at", "name")

    @admin.display(description="file")
    def download(self, obj: Attachment) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("api-attachment", args=[obj.pk]), obj.name
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TicketEventInline(admin.TabularInline):
    """The ticket's history: who changed what, from what to what, why and when."""

    model = TicketEvent
    extra = 0
    can_delete = False
    verbose_name = "history entry"
    verbose_name_plural = "history"
    fields = ("created_at", "who", "kind", "field", "before_display", "after_display", "reason")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="who")
    def who(self, obj: TicketEvent) -> str:
        return obj.actor.get_username() if obj.actor else "system"

    @admin.display(description="before")
    def before_display(self, obj: TicketEvent) -> str:
        return _short(obj.before)

    @admin.display(description="after")
    def after_display(self, obj: TicketEvent) -> str:
        return _short(obj.after)


class OpenTicketFilter(admin.SimpleListFilter):
    title = "open or closed"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open (not resolved)"), ("done", "Resolved or closed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if self.value() == "done":
            return queryset.exclude(status__in=OPEN_STATUSES)
        return queryset


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "subject",
        "status",
        "priority",
        "queue",
        "category",
        "assigned_agent",
        "confidence_display",
        "channel",
        "language",
        "escalation_level",
        "created_at",
    )
    list_filter = (
        OpenTicketFilter,
        "status",
        "priority",
        "queue",
        "channel",
        "language",
        "escalation_level",
        "created_at",
    )
    search_fields = ("subject", "body", "customer_email", "external_id", "=id")
    date_hierarchy = "created_at"
    list_select_related = ("queue", "category", "assigned_agent__user")
    list_per_page = 50
    inlines = (CommentInline, AttachmentInline, TicketEventInline)
    actions = ("close_resolved",)
    # Only the routing outcome is editable, and saving it is a correction (see save_model).
    editable = ("queue", "category", "priority")
    fieldsets = (
        (
            "Ticket",
            {
                "fields": (
                    "id",
                    "subject",
                    "body",
                    "channel",
                    "external_id",
                    "customer",
                    "customer_email",
                    "language",
                    "tags",
                    "context_display",
                )
            },
        ),
        (
            "Routing",
            {
                "fields": (
                    "queue",
                    "category",
                    "subcategory",
                    "priority",
                    "confidence_display",
                    "routing_reason",
                    "required_skill",
                    "suggested_reply",
                )
            },
        ),
        (
            "Work",
            {
                "fields": (
                    "status",
                    "assigned_agent",
                    "escalation_level",
                    "reopened_count",
                    "first_response_at",
                    "resolved_at",
                    "closed_at",
                    "csat_score",
                )
            },
        ),
        (
            "SLA",
            {
                "fields": (
                    "sla_first_response_due",
                    "sla_resolution_due",
                    "sla_first_response_state",
                    "sla_resolution_state",
                    "sla_paused_at",
                    "breach_risk",
                )
            },
        ),
        ("Times", {"fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Ticket._meta.fields if f.name not in self.editable]
        return names + ["confidence_display", "context_display"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="confidence", ordering="confidence")
    def confidence_display(self, obj: Ticket) -> str:
        return "—" if obj.confidence is None else f"{obj.confidence:.2f}"

    @admin.display(description="context")
    def context_display(self, obj: Ticket) -> str:
        if not obj.context:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(obj.context, indent=2, ensure_ascii=False))

    def save_model(self, request, obj: Ticket, form, change: bool) -> None:
        if not change or not form.changed_data:
            return
        original = Ticket.objects.get(pk=obj.pk)
        try:
            ticket_correct(
                ticket=original,
                user=request.user,
                category=obj.category if "category" in form.changed_data else None,
                priority=obj.priority if "priority" in form.changed_data else None,
                queue=obj.queue if "queue" in form.changed_data else None,
                reason="corrected in admin",
            )
        except ApplicationError as exc:
            self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description="Close selected resolved tickets")
    def close_resolved(self, request, queryset) -> None:
        closed = 0
        for ticket in queryset.filter(status=Status.RESOLVED):
            ticket_change_status(
                ticket=ticket, user=request.user, status=Status.CLOSED, reason="closed in admin"
            )
            closed += 1
        self.message_user(request, f"Closed {closed} ticket(s).")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """IMAP mailboxes read every minute; the password comes from the environment variable each
    row names, never from here."""

    list_display = (
        "slug",
        "username",
        "host",
        "folder",
        "enabled",
        "last_uid",
        "last_polled_at",
        "last_error",
    )
    list_filter = ("enabled",)
    fields = ("slug", "host", "port", "use_ssl", "username", "folder", "enabled", "password_state")
    readonly_fields = ("password_state", "uid_validity", "last_uid", "last_polled_at", "last_error")
    actions = ["poll_now"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None:
            fields += ["uid_validity", "last_uid", "last_polled_at", "last_error"]
        return fields

    @admin.display(description="password")
    def password_state(self, obj: Mailbox) -> str:
        if not obj.slug:
            return "From HELPDESK_IMAP_PASSWORD_<SLUG> once the slug is set."
        state = "set" if settings.HELPDESK_IMAP_PASSWORDS.get(obj.password_variable) else "NOT set"
        return f"{obj.password_variable}: {state}"

    @admin.action(description="Read new mail now")
    def poll_now(self, request, queryset):
        for box in queryset:
            result = mailbox_poll(mailbox_id=box.pk)
            if result.error:
                self.message_user(request, f"{box.slug}: {result.error}", messages.ERROR)
            else:
                self.message_user(request, f"{box.slug}: {result.taken} new message(s) read.")
