"""Admin for SLA policies and business calendars (with their holidays)."""

from django.contrib import admin

from sla.models import BusinessCalendar, Holiday, SLAPolicy


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name", "priority", "queue", "first_response_minutes", "resolution_minutes",
        "at_risk_minutes", "is_active",
    )
    list_filter = ("priority", "is_active", "queue")
    list_editable = ("first_response_minutes", "resolution_minutes", "at_risk_minutes", "is_active")
    search_fields = ("name", "queue__name")
    list_select_related = ("queue",)


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1
    fields = ("date", "name")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "is_24x7", "queue_list")
    list_filter = ("is_24x7", "timezone")
    search_fields = ("name",)
    inlines = (HolidayInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("queues")

    @admin.display(description="queues")
    def queue_list(self, obj: BusinessCalendar) -> str:
        return ", ".join(q.name for q in obj.queues.all()) or "—"
