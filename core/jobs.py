"""Background jobs queued by name once the current transaction commits.

A tasks module imports the services it runs; a service that wants a task queued names it here
instead of importing the tasks module back (no circle between the two), and the job only
leaves when the change it follows is committed (a rolled-back change queues nothing)."""

from typing import Any

from celery import Task, current_app
from django.db import transaction


def task_named(name: str) -> Task:
    """The registered task; in a process that has not run one yet (a web server), the apps'
    tasks modules are imported first, as a worker does at start."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    transaction.on_commit(lambda: task_named(task_name).delay(*args))


def enqueue_now(task_name: str, *args: Any) -> None:
    task_named(task_name).delay(*args)
