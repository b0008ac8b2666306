"""Celery tasks of the SLA app (thin: each calls one service)."""

from celery import shared_task
from django.utils import timezone

from .monitor import sla_monitor_run
from .risk import breach_risk_refresh


@shared_task(name="sla.tasks.sla_monitor", acks_late=True)
def sla_monitor() -> str:
    """One escalation pass; beat runs it every minute (PeriodicTask "sla: monitor")."""
    return sla_monitor_run(refresh_risk=False).summary()


@shared_task(name="sla.tasks.breach_risk_refresh", acks_late=True)
def breach_risk_refresh_task() -> int:
    """Recompute breach risk; beat runs it every 5 minutes (PeriodicTask "sla: breach risk")."""
    return breach_risk_refresh(now=timezone.now())
