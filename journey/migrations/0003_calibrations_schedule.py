"""Celery beat refits the confidence calibrations of Claude and the AI agent nightly (editable in
the admin under Periodic tasks)."""

from django.db import migrations

TASK = "journey.tasks.calibrations_refit"
NAME = "journey: refit confidence calibrations"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": nightly,
            "interval": None,
            "enabled": True,
            "description": "Map Claude's and the AI agent's stated confidence to outcomes.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("journey", "0002_ai_lost_tickets_schedule")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
