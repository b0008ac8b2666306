"""The intake drain moved from tickets to the journey app: the beat entry names the new task."""

from django.db import migrations

OLD, NEW = "tickets.tasks.ticket_intake_drain", "journey.tasks.ticket_intake_drain"


def rename(apps, schema_editor, *, old=OLD, new=NEW):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=old).update(task=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_intake_drain_schedule")]

    operations = [migrations.RunPython(rename, rename_back)]
