"""Routing in Django admin: the ordered rule table with validation, dry-run and backtest, urgency
phrases, the classification log, classifier versions and the accuracy page. Views stay thin:
they call `routing.selectors`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from . import policy, selectors
from .admin_forms import BacktestForm, DryRunForm, RoutingRuleForm
from .models import ClassificationLog, ClassifierModel, RoutingRule, UrgencyPhrase
from .rules import RuleSyntaxError, parse, rule_phase

PHASE_LABELS = {
    1: "1 · before the classifier",
    2: "2 · after the classifier",
}


def warn_if_model_unavailable(request) -> None:
    if problem := policy.model_problem():
        messages.warning(request, f"The {problem}: tickets are routed by rules and queue defaults.")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = (
        "order",
        "name",
        "enabled",
        "phase",
        "conditions",
        "actions_summary",
        "stop",
        "backtest",
    )
    list_display_links = ("name",)
    list_editable = ("order", "enabled")
    list_filter = ("enabled", "set_queue")
    search_fields = ("name", "conditions")
    ordering = ("order", "id")
    list_select_related = ("set_queue", "set_category", "require_skill")
    actions = ("enable_rules", "disable_rules")
    change_list_template = "admin/routing/routingrule/change_list.html"
    readonly_fields = ("phase",)

    @admin.display(description="Phase")
    def phase(self, rule: RoutingRule) -> str:
        """Derived from the fields the condition reads; not stored."""
        if rule is None or not rule.conditions:
            return "—"
        try:
            return PHASE_LABELS[rule_phase(parse(rule.conditions))]
        except RuleSyntaxError:
            return "— (does not parse)"

    @admin.display(description="Actions")
    def actions_summary(self, rule: RoutingRule) -> str:
        parts = []
        if rule.set_queue:
            parts.append(f"queue → {rule.set_queue.slug}")
        if rule.set_category:
            parts.append(f"category → {rule.set_category.slug}")
        if rule.set_priority:
            parts.append(f"priority → {rule.set_priority}")
        if rule.add_tags:
            parts.append(f"tags + {', '.join(map(str, rule.add_tags))}")
        if rule.require_skill:
            parts.append(f"skill {rule.require_skill.slug}")
        return "; ".join(parts) or "—"

    @admin.display(description="Backtest")
    def backtest(self, rule: RoutingRule) -> str:
        return format_html(
            '<a href="{}">backtest</a>',
            reverse("admin:routing_routingrule_backtest", args=[rule.pk]),
        )

    @admin.action(description="Enable selected rules")
    def enable_rules(self, request, queryset):
        self.message_user(request, f"{queryset.update(enabled=True)} rule(s) enabled.")

    @admin.action(description="Disable selected rules")
    def disable_rules(self, request, queryset):
        self.message_user(request, f"{queryset.update(enabled=False)} rule(s) disabled.")

    def changelist_view(self, request, extra_context=None):
        warn_if_model_unavailable(request)
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("dry-run/", view(self.dry_run_view), name="routing_routingrule_dry_run"),
            path(
                "<int:rule_id>/backtest/",
                view(self.backtest_view),
                name="routing_routingrule_backtest",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def dry_run_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DryRunForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            result = selectors.rules_dry_run(
                facts=form.facts(),
                predicted=form.cleaned_data["predicted"],
                include_disabled=form.cleaned_data["include_disabled"],
            )
        return TemplateResponse(
            request,
            "admin/routing/dry_run.html",
            self._context(request, "Rule dry-run", form=form, result=result),
        )

    def backtest_view(self, request, rule_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        rule = get_object_or_404(RoutingRule, pk=rule_id)
        form = BacktestForm(request.GET or {"limit": 500})
        result, error = None, ""
        if form.is_valid():
            try:
                result = selectors.rule_backtest(rule=rule, limit=form.cleaned_data["limit"])
            except ValueError as exc:  # a stored rule that no longer parses
                error = str(exc)
        return TemplateResponse(
            request,
            "admin/routing/backtest.html",
            self._context(
                request,
                f"Backtest: {rule.name}",
                rule=rule,
                form=form,
                result=result,
                error=error,
            ),
        )


@admin.register(UrgencyPhrase)
class UrgencyPhraseAdmin(admin.ModelAdmin):
    list_display = ("phrase", "enabled")
    list_editable = ("enabled",)
    search_fields = ("phrase",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClassificationLog)
class ClassificationLogAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "ticket",
        "source",
        "queue",
        "category",
        "priority",
        "confidence",
        "triaged",
        "model_version",
        "latency_ms",
        "cost_usd",
    )
    list_filter = ("source", "triaged", "model_name", "model_version")
    search_fields = ("ticket__subject", "queue", "category", "reason")
    list_select_related = ("ticket",)
    date_hierarchy = "created_at"
    change_list_template = "admin/routing/classificationlog/change_list.html"

    def get_urls(self):
        return [
            path(
                "accuracy/",
                self.admin_site.admin_view(self.accuracy_view),
                name="routing_classificationlog_accuracy",
            ),
            *super().get_urls(),
        ]

    def accuracy_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Routing accuracy",
            "report": selectors.accuracy_report(),
        }
        return TemplateResponse(request, "admin/routing/accuracy.html", context)


@admin.register(ClassifierModel)
class ClassifierModelAdmin(ReadOnlyAdmin):
    list_display = ("version", "kind", "is_active", "trained_on", "created_at", "fields")
    list_filter = ("is_active", "kind")

    def changelist_view(self, request, extra_context=None):
        warn_if_model_unavailable(request)
        return super().changelist_view(request, extra_context)
