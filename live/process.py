"""What kind of process this is, as far as sending live events goes.

`helpdesk/celery.py` marks a Celery worker's processes at start; the sender then gathers events
for HELPDESK_REALTIME_WORKER_LINGER before sending (nobody waits on a request there)."""

IN_WORKER = False


def mark_worker() -> None:
    global IN_WORKER
    IN_WORKER = True
