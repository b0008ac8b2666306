"""Celery beat queues again the outbox rows whose send task was lost, every 5 minutes (editable
in the admin under Periodic tasks)."""

from django.db import migrations

TASK = "agents.tasks.notifications_lost_resend"
NAME = "agents: resend lost notifications"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "interval": every,
            "enabled": True,
            "description": "Outbox rows still pending whose send task was lost are queued again.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0006_saved_reply"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
