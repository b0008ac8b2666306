from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from tickets.models import Priority, Status


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
    notify_on_assignment = models.BooleanField(
        "Tell me when a ticket is assigned to me",
        default=True,
        help_text="By e-mail, and by push on a registered device. Never for the AI agent.",
    )
    notify_on_customer_reply = models.BooleanField(
        "Tell me when a customer replies to my ticket",
        default=True,
        help_text="By e-mail, and by push on a registered device. Never for the AI agent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]
        indexes = [models.Index(fields=["is_available", "kind"], name="agent_available")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.username


class AIAction(models.TextChoices):
    RESOLVED = "resolved"
    REVIEW = "review"
    HANDOFF = "handoff"
    SUGGESTION = "suggestion"


class AIResolutionAttempt(models.Model):
    """One run of the AI resolution agent (or of the reply drafter) on a ticket, kept whole."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="ai_attempts"
    )
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, help_text="llm or similar_tickets")
    context = models.JSONField(default=dict, blank=True)
    draft = models.TextField(blank=True)
    confidence = models.FloatField(default=0.0)
    action = models.CharField(max_length=20, choices=AIAction.choices)
    matched_ticket = models.UUIDField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ticket", "-created_at"], name="ai_attempt_ticket")]


class NotificationStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(models.Model):
    """The outbox: one row per (backend, event, recipient); the unique key makes sending idempotent."""

    key = models.CharField(max_length=255, unique=True)
    backend = models.CharField(max_length=20)
    event = models.CharField(max_length=40)
    recipient = models.CharField(max_length=500)
    # a mail's Message-ID: a bounce that names it marks the row failed
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_status"),
            # the lost-task sweep's query (agents.services.notifications.notifications_overdue)
            models.Index(
                Coalesce("next_attempt_at", "created_at"),
                name="notification_due",
                condition=models.Q(status="pending"),
            ),
        ]


class PushPlatform(models.TextChoices):
    ANDROID = "android"
    IOS = "ios"


class PushDevice(models.Model):
    """A customer's (or an agent's) phone, for FCM (android) or APNs (ios) pushes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_devices"
    )
    platform = models.CharField(max_length=10, choices=PushPlatform.choices)
    token = models.CharField(max_length=500, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class AgentLoad(models.Model):
    """Each agent's open tickets as last counted, for ranking without a grouped count per decision.

    Re-counted exactly (not incremented) whenever one of the agent's tickets is assigned, moved or
    changes open-ness, and for everyone by the minute sweep. Capacity itself never trusts it: it
    is re-counted under the agent's row lock before every automatic assignment."""

    # No FK constraint: inserting a row must not take a KEY SHARE lock on an agent row that a
    # concurrent assignment holds FOR UPDATE (that ordering deadlocked under load).
    agent = models.OneToOneField(
        Agent, primary_key=True, on_delete=models.CASCADE, related_name="load", db_constraint=False
    )
    open_tickets = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class SavedReply(models.Model):
    """A macro: text written for reuse, with actions applied along with it (status, priority,
    queue, tags). Personal (`owner` set), a team's (`queue` set: its agents use it) or global
    (neither). The AI agent composes only from the team and global ones marked `ai_usable`
    (filled in for the customer at hand; their actions are for people), never from another
    customer's conversation."""

    name = models.CharField(max_length=200)
    body = models.TextField(
        help_text="The reply. Placeholders: {{ customer_name }}, {{ ticket_ref }}, "
        "{{ agent_name }}, {{ status_link }}."
    )
    match_text = models.TextField(
        blank=True,
        help_text="When it answers a ticket: example questions as customers write them, one per "
        "line. The AI agent matches a ticket against the name and each line.",
    )
    queue = models.ForeignKey(
        "tickets.Queue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
        help_text="Set: a team macro of this queue's agents. Empty: global (every queue).",
    )
    owner = models.ForeignKey(
        Agent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
        help_text="Set: a personal macro of this agent (never used by the AI agent).",
    )
    set_status = models.CharField(
        max_length=20,
        blank=True,
        choices=Status.choices,
        help_text="Applying it moves the ticket here (where the lifecycle allows it).",
    )
    set_priority = models.CharField(max_length=10, blank=True, choices=Priority.choices)
    set_queue = models.ForeignKey(
        "tickets.Queue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Applying it moves the ticket to this queue.",
    )
    add_tags = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=10, blank=True, help_text="Empty: any language.")
    ai_usable = models.BooleanField(default=True, help_text="The AI agent may send it.")
    is_active = models.BooleanField(default=True)
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "macro (saved reply)"
        verbose_name_plural = "macros (saved replies)"
        indexes = [models.Index(fields=["queue", "is_active"], name="saved_reply_queue")]

    def __str__(self) -> str:
        return self.name

    def action_lines(self) -> list[str]:
        """What applying it does besides replying, in the order it is done (status last)."""
        lines = []
        if self.set_priority:
            lines.append(f"Priority → {self.set_priority}")
        if self.set_queue_id:
            lines.append(f"Queue → {self.set_queue}")
        if self.add_tags:
            lines.append(f"Tags + {', '.join(map(str, self.add_tags))}")
        if self.set_status:
            lines.append(f"Status → {self.set_status.replace('_', ' ')}")
        return lines

    @property
    def scope(self) -> str:
        if self.owner_id is not None:
            return "personal"
        return "team" if self.queue_id is not None else "global"
