"""Admin for queues, categories, comments and the event log. The ticket itself is in
journey/admin.py: it is never created there (every ticket comes through `journey.intake`), and
changes to routing fields go through `journey.changes.ticket_correct`, recorded as events like
any other correction. Ticket text is shown through Django's auto-escaping only."""

from django.contrib import admin
from django.db.models import Count, Q

from tickets.models import OPEN_STATUSES, Category, Comment, CustomerAccount, Queue, TicketEvent

admin.site.site_header = "Help desk administration"
admin.site.site_title = "Help desk admin"
admin.site.index_title = "Tickets, queues, agents, routing and SLA"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("ticket", "author_kind", "author", "internal", "created_at")
    list_filter = ("author_kind", "internal", "created_at")
    search_fields = ("body", "ticket__subject", "author__username")
    list_select_related = ("ticket", "author")
    readonly_fields = ("ticket", "author", "author_kind", "body", "internal", "created_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(TicketEvent)
class TicketEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "ticket", "kind", "field", "before", "after", "actor", "reason")
    list_filter = ("kind", "field", "created_at")
    search_fields = ("ticket__subject", "reason", "=ticket__id")
    list_select_related = ("ticket", "actor")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in TicketEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SubCategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 0
    fields = ("name", "slug", "queue")
    verbose_name = "sub-category"
    verbose_name_plural = "sub-categories"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "queue", "ticket_count")
    list_filter = (("parent", admin.EmptyFieldListFilter), "queue")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("parent", "queue")
    inlines = (SubCategoryInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_tickets=Count("tickets", distinct=True))

    @admin.display(description="tickets", ordering="_tickets")
    def ticket_count(self, obj) -> int:
        return obj._tickets


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "is_triage",
        "default_priority",
        "confidence_threshold",
        "required_skill",
        "ai_resolution_enabled",
        "is_active",
        "open_tickets",
    )
    list_filter = ("is_active", "is_triage", "ai_resolution_enabled", "default_priority")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("required_skill",)

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
        return obj._open


@admin.register(CustomerAccount)
class CustomerAccountAdmin(admin.ModelAdmin):
    """Accounts as integrations describe them (read here; integrations keep them current)."""

    list_display = ("email", "plan", "tier", "mrr", "updated_at")
    list_filter = ("plan", "tier")
    search_fields = ("email",)
    readonly_fields = ("updated_at",)
