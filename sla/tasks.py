"""Celery tasks of the SLA app (thin: they call one service)."""

from celery import shared_task

from .monitor import sla_monitor_run


@shared_task(name="sla.tasks.sla_monitor", acks_late=True)
def sla_monitor() -> str:
    """One monitor pass; beat runs it every minute (PeriodicTask "sla: monitor")."""
    return sla_monitor_run().summary()
