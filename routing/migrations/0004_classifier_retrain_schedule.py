"""Celery beat retrains the local classifier every night at 03:30 UTC; the candidate is kept only
if it beats the active model on the most recent history (django-celery-beat's database
scheduler: the time and the task are editable in the admin under Periodic tasks)."""

from django.db import migrations

TASK = "routing.tasks.classifier_retrain"
NAME = "routing: retrain classifier"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": TASK,
            "crontab": nightly,
            "interval": None,
            "enabled": True,
            "description": "Retrain the local classifier; keep it only if it beats the active one.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0003_urgencyphrase_classifiermodel_classificationlog"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
