from django.conf import settings
from django.db import models


class Skill(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentKind(models.TextChoices):
    HUMAN = "human"
    AI = "ai"


def default_working_hours() -> dict:
    """Weekday (0 = Monday) → list of [start, end] local times."""
    return {str(day): [["09:00", "17:00"]] for day in range(5)}


class Agent(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    kind = models.CharField(max_length=10, choices=AgentKind.choices, default=AgentKind.HUMAN)
    skills = models.ManyToManyField(Skill, blank=True, related_name="agents")
    queues = models.ManyToManyField("tickets.Queue", blank=True, related_name="agents")
    all_queues = models.BooleanField(
        default=False, help_text="Member of every queue, present and future."
    )
    languages = models.JSONField(default=list, blank=True, help_text='e.g. ["en", "de"]')
    timezone = models.CharField(max_length=64, default="UTC")
    working_hours = models.JSONField(default=default_working_hours, blank=True)
    max_tickets = models.PositiveIntegerField(default=10)
    is_available = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]
        indexes = [models.Index(fields=["is_available", "kind"], name="agent_available")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.username
