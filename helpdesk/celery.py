import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Set in a Celery worker's processes; helpdesk.realtime then gathers live events for
# HELPDESK_REALTIME_WORKER_LINGER before sending them (nobody waits on a request there, and under
# load several tickets' events travel, and are written to each workspace socket, together).
IN_WORKER = False


@worker_init.connect  # the worker's main process (solo and threaded pools run tasks there)
@worker_process_init.connect  # each prefork child
def _mark_worker(**_) -> None:
    global IN_WORKER
    IN_WORKER = True
