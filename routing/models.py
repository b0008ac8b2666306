from django.db import models


class RoutingRule(models.Model):
    """One row of the ordered rule table admins edit. The engine lives in routing/rules.py."""

    name = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=100, help_text="Lower runs first.")
    enabled = models.BooleanField(default=True)
    # e.g. "app_version < 3.0 and category = billing"
    conditions = models.TextField(
        help_text="Conditions joined by 'and', e.g. app_version < 3.0 and category = billing"
    )
    set_queue = models.ForeignKey(
        "tickets.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_priority = models.CharField(max_length=10, blank=True)
    add_tags = models.JSONField(default=list, blank=True)
    require_skill = models.ForeignKey(
        "agents.Skill", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stop = models.BooleanField(default=False, help_text="Stop evaluating further rules.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name
