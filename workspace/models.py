from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A named ticket filter in an agent's sidebar (see workspace/filters.py for the keys).
    Personal views are their owner's alone; shared ones (made by managers) every agent sees,
    each within the tickets they may see."""

    name = models.CharField(max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    shared = models.BooleanField(default=False)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name")
        ]
        indexes = [models.Index(fields=["shared"], name="saved_view_shared")]

    def __str__(self) -> str:
        return self.name
