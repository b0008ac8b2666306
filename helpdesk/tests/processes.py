"""For tests that start the project's own processes (a Celery worker or beat, daphne) as
subprocesses against the test database and this run's Redis."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def test_database_url() -> str:
    """The URL of the test database this process is using (pytest-django's `test_` one)."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def celery_env() -> dict:
    """A worker's or beat's environment: local settings on the test database and this run's
    Redis (the broker), tasks really queued, mail kept in memory."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def start_celery(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [CELERY, "-A", "helpdesk", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
