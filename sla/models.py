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

    def clean(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from django.core.exceptions import ValidationError

        from .calendar import parse_hours

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"timezone": f"Unknown time zone '{self.timezone}'."}) from exc
        try:
            parse_hours(self.hours or {})
        except ValueError as exc:
            raise ValidationError({"hours": str(exc)}) from exc


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
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
        "tickets.Queue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
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


class TicketSLA(models.Model):
    """The SLA clock of one ticket: the targets it was given and what the pauses cost.

    The deadlines and fired states live on the ticket (reports and the API read them there); this
    row keeps what is needed to move them: targets, business time spent paused, the at-risk
    moments, and whether each deadline was met."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="sla_clock"
    )
    policy = models.ForeignKey(SLAPolicy, null=True, blank=True, on_delete=models.SET_NULL)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    at_risk_minutes = models.PositiveIntegerField()
    paused_seconds = models.FloatField(default=0, help_text="Business time spent paused so far.")
    first_response_risk_at = models.DateTimeField(null=True, blank=True)
    resolution_risk_at = models.DateTimeField(null=True, blank=True)
    first_response_met = models.BooleanField(null=True, blank=True)
    resolution_met = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = "ticket SLA clock"

    def __str__(self) -> str:
        return f"SLA of {self.ticket_id}"
