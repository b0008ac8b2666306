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


class UrgencyPhrase(models.Model):
    """A phrase that forces a ticket to urgent priority ("system down", "data loss", ...)."""

    phrase = models.CharField(max_length=200, unique=True)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class ClassifierModel(models.Model):
    """A trained local model: one version on disk, with the metrics it was kept for."""

    version = models.PositiveIntegerField(unique=True)
    kind = models.CharField(max_length=40, default="tfidf-linear")
    path = models.CharField(max_length=500, help_text="File under HELPDESK_MODEL_DIR.")
    fields = models.JSONField(default=list, help_text="Labels it predicts: queue, category, ...")
    metrics = models.JSONField(default=dict, blank=True)
    trained_on = models.PositiveIntegerField(default=0, help_text="Tickets in the training set.")
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_classifier",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.kind})"


class ClassificationLog(models.Model):
    """Every routing decision with what it saw and why it chose."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="classifications",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=20, help_text="rules, local, claude, fallback, default")
    input_snapshot = models.JSONField(default=dict)
    rules_fired = models.JSONField(default=list, blank=True)
    model_name = models.CharField(max_length=100, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    queue = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=100, blank=True)
    priority = models.CharField(max_length=10, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    probabilities = models.JSONField(default=dict, blank=True)
    triaged = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    error = models.TextField(blank=True)
    latency_ms = models.FloatField(default=0)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="classification_ticket")]

    def __str__(self) -> str:
        return f"{self.source}: {self.queue} {self.confidence}"


class ConfidenceCalibration(models.Model):
    """A map from a source's stated confidence to how often it turned out right, fitted on
    logged outcomes (routing/calibration.py): Claude's labels against the ticket's final queue,
    category and priority (corrections and reassignments change them), the AI agent's sent
    answers against reopenings and ratings."""

    source = models.CharField(max_length=20)  # claude | ai_agent
    field = models.CharField(max_length=20)  # queue | category | priority | reply
    x = models.JSONField(default=list)  # stated confidence thresholds
    y = models.JSONField(default=list)  # how often right at each threshold
    rows = models.PositiveIntegerField(default=0)
    accuracy = models.FloatField(default=0.0)  # over the rows it was fitted on
    fitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "field"], name="calibration_source_field")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.field} ({self.rows} outcomes)"
