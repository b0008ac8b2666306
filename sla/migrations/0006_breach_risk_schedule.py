"""Celery beat refreshes the breach risk of open tickets every 5 minutes (editable in the admin).
It is a separate schedule from the one-minute monitor: it aggregates over every open ticket, which
costs seconds at a million tickets, while escalations must stay fast."""

from django.db import migrations

TASK = "sla.tasks.breach_risk_refresh"
NAME = "sla: breach risk"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_5_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "interval": every_5_minutes,
            "enabled": True,
            "description": "Breach risk (0..1) of open tickets from backlog, workload, history.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_monitor_indexes")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
