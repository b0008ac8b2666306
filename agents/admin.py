"""Admin for agents and skills. Open-ticket counts are annotated in SQL, never counted per row."""

from django.contrib import admin
from django.db.models import Count, Q

from agents.models import Agent, Skill
from tickets.models import OPEN_STATUSES


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "agent_count")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_agents=Count("agents", distinct=True))

    @admin.display(description="agents", ordering="_agents")
    def agent_count(self, obj) -> int:
        return obj._agents


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "languages_display",
        "timezone",
        "max_tickets",
        "open_tickets",
        "is_available",
        "all_queues",
    )
    list_filter = ("is_available", "kind", "all_queues", "timezone", "skills", "queues")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user",)
    list_editable = ("is_available", "max_tickets")
    filter_horizontal = ("skills", "queues")
    autocomplete_fields = ("user",)
    fieldsets = (
        (None, {"fields": ("user", "kind", "is_available")}),
        (
            "Work",
            {"fields": ("languages", "timezone", "working_hours", "max_tickets", "open_tickets")},
        ),
        ("Skills and queues", {"fields": ("skills", "all_queues", "queues")}),
        ("Notifications", {"fields": ("notify_on_assignment", "notify_on_customer_reply")}),
    )
    readonly_fields = ("open_tickets",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _open=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES), distinct=True)
            )
        )

    @admin.display(description="open tickets", ordering="_open")
    def open_tickets(self, obj) -> int:
        return getattr(obj, "_open", 0)

    @admin.display(description="email", ordering="user__email")
    def email(self, obj: Agent) -> str:
        return obj.user.email

    @admin.display(description="languages")
    def languages_display(self, obj: Agent) -> str:
        return ", ".join(obj.languages or []) or "—"


from . import admin_ai  # noqa: E402,F401  (macros and the AI resolution log)
