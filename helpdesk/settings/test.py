"""The test suite: real PostgreSQL and Redis, fast hashing, mail kept in memory."""

import os
import tempfile

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpdesk")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Attachments of a test run go to a fresh folder, never var/media; servers the run starts
# (daphne, workers) inherit it through the environment.
os.environ.setdefault("HELPDESK_MEDIA_ROOT", tempfile.mkdtemp(prefix="helpdesk-test-media-"))

from .base import *  # noqa: E402,F401,F403
from .base import REST_FRAMEWORK, VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HELPDESK_WEBHOOK_SECRET = "test-webhook-secret"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
HELPDESK_MODEL_DIR = VAR_DIR / "test-models"
# Every ring asks Redis (the memo is process-wide state; tests of it turn it on themselves).
HELPDESK_INTAKE_RING_MEMO = 0.0
# Tests of the page limits set their own (the shared Redis keeps counts between tests).
HELPDESK_WEBFORM_PER_CLIENT = 10_000
HELPDESK_WEBFORM_PER_ADDRESS = 10_000
HELPDESK_LOGIN_FAILURES_PER_USERNAME = 10_000
HELPDESK_LOGIN_FAILURES_PER_CLIENT = 10_000
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min", "webhook": "100000/min"},
}
