import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email"
    IN_APP = "in_app"
    WEB = "web"
    WEBHOOK = "webhook"
    API = "api"


class Status(models.TextChoices):
    OPEN = "open"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PENDING_CUSTOMER = "pending_customer"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = (
    Status.OPEN,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.PENDING_CUSTOMER,
    Status.ESCALATED,
)


class Priority(models.TextChoices):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class SlaState(models.IntegerChoices):
    """How far a ticket is along one SLA deadline; each level fires once per deadline."""

    ON_TRACK = 0, "on track"
    AT_RISK = 1, "at risk"
    BREACHED = 2, "breached"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Queue(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(
        blank=True, help_text="What belongs here; given to the LLM as context."
    )
    default_priority = models.CharField(
        max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    sla_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Resolution target in hours when no SLA policy applies."
    )
    required_skill = models.ForeignKey(
        "agents.Skill", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence_threshold = models.FloatField(
        default=0.7, help_text="Below this routing confidence a ticket goes to triage."
    )
    is_triage = models.BooleanField(default=False, help_text="Low-confidence tickets land here.")
    ai_resolution_enabled = models.BooleanField(default=False)
    ai_auto_resolve_threshold = models.FloatField(default=0.85)
    ai_review_threshold = models.FloatField(default=0.60)
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queues",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A ticket category; with a parent it is a sub-category (e.g. billing → refund)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
        help_text="Sub-categories belong to a queue and are predicted once the queue is known.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.API)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    customer_email = models.EmailField(blank=True, db_index=True)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    subcategory = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="sub_tickets"
    )
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assigned_agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    required_skill = models.ForeignKey(
        "agents.Skill", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(null=True, blank=True)
    routing_reason = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    suggested_reply = models.TextField(blank=True)

    sla_first_response_due = models.DateTimeField(null=True, blank=True)
    sla_resolution_due = models.DateTimeField(null=True, blank=True)
    sla_first_response_state = models.PositiveSmallIntegerField(
        choices=SlaState.choices, default=SlaState.ON_TRACK
    )
    sla_resolution_state = models.PositiveSmallIntegerField(
        choices=SlaState.choices, default=SlaState.ON_TRACK
    )
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    breach_risk = models.FloatField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    csat_score = models.PositiveSmallIntegerField(null=True, blank=True)
    csat_at = models.DateTimeField(null=True, blank=True)
    # Stored by the ingestion fast path, not yet routed: the deferred intake's work list (the
    # database is the queue, so a ticket survives a lost task or a dead worker).
    intake_pending = models.BooleanField(default=False)
    # A duplicate folded into another ticket: it is closed, and replies to its thread land there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )

    # Full-text search (PostgreSQL): subject, body and public comments, kept current by the
    # database's own triggers (migration 0010), whatever writes; see tickets/search.py.
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "queue", "-created_at"], name="ticket_status_queue"),
            models.Index(fields=["assigned_agent", "status"], name="ticket_agent_status"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
            models.Index(
                fields=["sla_first_response_due"],
                name="ticket_sla_fr_open",
                condition=Q(
                    first_response_at__isnull=True,
                    sla_first_response_state__lt=SlaState.BREACHED,
                ),
            ),
            models.Index(
                fields=["sla_resolution_due"],
                name="ticket_sla_res_open",
                condition=Q(
                    status__in=["open", "assigned", "in_progress", "escalated"],
                    sla_resolution_state__lt=SlaState.BREACHED,
                ),
            ),
            models.Index(
                fields=["priority", "created_at"],
                name="ticket_waiting",
                condition=Q(assigned_agent__isnull=True, status__in=["open", "escalated"]),
            ),
            models.Index(
                fields=["created_at"],
                name="ticket_intake_pending",
                condition=Q(intake_pending=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def ref(self) -> str:
        """The short reference customers quote (the first 8 characters of the id)."""
        return self.pk.hex[:8].upper() if self.pk else ""


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    body = models.TextField()
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket")]

    def __str__(self) -> str:
        return f"{self.author_kind} on {self.ticket_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Where a file lies in the storage: by ticket, under a random name (the customer's file
    name is kept in the row, never trusted as a path)."""
    return f"attachments/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file a customer or an agent sent with a ticket or a comment, from any channel. Its bytes
    are in the default storage; downloads pass the ticket's access check and are always served
    as attachments, never inline."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    # null: sent with the ticket itself (its first message)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255)  # the sender's file name, cleaned
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)  # sniffed from the bytes, not declared
    content_id = models.CharField(max_length=255, blank=True)  # a mail's inline image (cid:)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "name"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="attachment_ticket")]

    def __str__(self) -> str:
        return self.name


class TicketEvent(models.Model):
    """One change to a ticket: the audit trail, the feed of reports, feedback and live events.
    Each kind has its one writer in tickets/events.py."""

    class Kind(models.TextChoices):
        CREATED = "created"
        IMPORTED = "imported"
        STATUS_CHANGED = "status_changed"
        COMMENT = "comment"
        INTERNAL_NOTE = "internal_note"
        ROUTED = "routed"
        URGENCY_OVERRIDE = "urgency_override"
        CORRECTED = "corrected"
        REASSIGNED = "reassigned"
        ASSIGNED = "assigned"
        UNASSIGNED = "unassigned"
        ESCALATED = "escalated"
        FIRST_RESPONSE = "first_response"
        SLA_STARTED = "sla_started"
        SLA_RECOMPUTED = "sla_recomputed"
        SLA_FIRST_RESPONSE = "sla_first_response"
        SLA_RESOLUTION = "sla_resolution"
        CSAT_RATED = "csat_rated"
        AI_RESOLVED = "ai_resolved"
        AI_REVIEW_REQUESTED = "ai_review_requested"
        AI_HANDOFF = "ai_handoff"
        MAIL_BOUNCED = "mail_bounced"
        TAGS_CHANGED = "tags_changed"
        MERGED = "merged"  # this ticket was folded into another (`data["into"]`: its id)
        MERGED_IN = "merged_in"  # another ticket was folded into this one (`data["from"]`)

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    field = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket"),
            models.Index(fields=["kind", "created_at"], name="event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.field}: {self.before} → {self.after}"


class CustomerAccount(models.Model):
    """What an integration knows about a customer's account (plan, tier, revenue, recent
    billing events), keyed by e-mail and updated with each ticket it sends. Rules, Claude's
    prompt, the AI agent and the reports read it; customers never set it."""

    email = models.EmailField(unique=True)
    plan = models.CharField(max_length=100, blank=True)
    tier = models.CharField(max_length=100, blank=True)
    mrr = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="Monthly revenue."
    )
    billing_events = models.JSONField(
        default=list, blank=True, help_text='Recent ones, newest first: [{"type", "at", "amount"}]'
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def as_facts(self) -> dict:
        """The plain values rules and prompts see."""
        return {
            "plan": self.plan,
            "tier": self.tier,
            "mrr": float(self.mrr) if self.mrr is not None else None,
            "billing_events": [event.get("type", "") for event in self.billing_events or []],
        }


class MailMessage(models.Model):
    """A mail the help desk sent or received for a ticket, by Message-ID: what threads a
    customer's reply (its In-Reply-To / References) back onto the ticket."""

    class Direction(models.TextChoices):
        IN = "in"
        OUT = "out"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="mail_messages")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    message_id = models.CharField(max_length=255, unique=True)
    sender = models.CharField(max_length=254, blank=True)  # a received mail's From address
    # a received mail's text as it came, when quoted history or a signature was trimmed from
    # the comment (or ticket) it became; empty when nothing was trimmed
    original = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="mail_ticket"),
            models.Index(fields=["sender", "created_at"], name="mail_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id}"
