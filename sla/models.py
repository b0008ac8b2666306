from django.db import models

from tickets.models import Priority


class BusinessCalendar(models.Model):
    """Weekly business hours in a time zone, with holidays; SLA deadlines count in this time."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # Weekday (0 = Monday) → list of [start, end] local times, e.g. {"0": [["09:00", "17:00"]]}.
    hours = models.JSONField(default=dict, blank=True)
    is_24x7 = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SLAPolicy(models.Model):
    """Targets per priority; a policy with a queue overrides the queue-less one."""

    name = models.CharField(max_length=100)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    queue = models.ForeignKey(
        "tickets.Queue", null=True, blank=True, on_delete=models.CASCADE, related_name="sla_policies"
    )
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    at_risk_minutes = models.PositiveIntegerField(default=30)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["queue__name", "priority"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "queue"], name="sla_policy_unique_queue_priority"
            ),
            models.UniqueConstraint(
                fields=["priority"],
                condition=models.Q(queue__isnull=True),
                name="sla_policy_unique_default_priority",
            ),
        ]

    def __str__(self) -> str:
        return self.name
