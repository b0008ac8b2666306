import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

from live import process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect  # the worker's main process (solo and threaded pools run tasks there)
@worker_process_init.connect  # each prefork child
def _mark_worker(**_) -> None:
    process.mark_worker()
