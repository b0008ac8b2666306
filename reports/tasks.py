from celery import shared_task

from .rollup import rollup_refresh


@shared_task(name="reports.tasks.rollup_refresh")
def rollup_refresh_task() -> int:
    """Hourly (beat): recompute the daily rollup's recent days. Idempotent."""
    return rollup_refresh()
