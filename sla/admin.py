from django.contrib import admin

from .models import BusinessCalendar, Holiday, SLAPolicy, TicketSLA


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "is_24x7"]
    inlines = [HolidayInline]
    help_texts = {"hours": 'Weekday (0 = Monday) → [["09:00", "17:00"], ...] in the time zone.'}


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "priority",
        "queue",
        "first_response_minutes",
        "resolution_minutes",
        "at_risk_minutes",
        "is_active",
    ]
    list_filter = ["priority", "queue", "is_active"]


@admin.register(TicketSLA)
class TicketSLAAdmin(admin.ModelAdmin):
    list_display = [
        "ticket",
        "policy",
        "resolution_minutes",
        "paused_seconds",
        "first_response_met",
        "resolution_met",
    ]
    list_select_related = ["ticket", "policy"]
    raw_id_fields = ["ticket"]

    def has_add_permission(self, request) -> bool:
        return False  # clocks are started by the intake pipeline
