from django.db import models


class DailyTicketStats(models.Model):
    """Tickets created on one day, summed along one dimension (or all of them): the additive part
    of the overview, so periods of months need a few thousand rows instead of a million tickets.
    Kept by `reports.tasks.rollup_refresh` (recent days nightly; `manage.py reports_rollup --all`
    for the whole history)."""

    day = models.DateField()
    dimension = models.CharField(max_length=20)  # all, category, priority, queue, channel
    key = models.CharField(max_length=100, blank=True)  # the id or value; "" for all / none
    tickets = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    fr_met = models.PositiveIntegerField(default=0)
    fr_breached = models.PositiveIntegerField(default=0)
    res_met = models.PositiveIntegerField(default=0)
    res_breached = models.PositiveIntegerField(default=0)
    frt_sum = models.FloatField(default=0)
    frt_count = models.PositiveIntegerField(default=0)
    res_sum = models.FloatField(default=0)
    res_count = models.PositiveIntegerField(default=0)
    csat_sum = models.PositiveIntegerField(default=0)
    csat_count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "key", "day"], name="daily_stats_unique")
        ]
        indexes = [models.Index(fields=["dimension", "day"], name="daily_stats_dimension_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}: {self.tickets}"
