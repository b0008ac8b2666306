"""The embedded default of `make run`: SQLite under var/, in-memory channels, local job broker."""

import os
import secrets
import time
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, EMAIL_HOST, REDIS_URL, VAR_DIR, env, env_bool


def kept_secret(path: Path) -> str:
    """A random secret made on first start and kept in `path` (mode 0600, never overwritten), so
    `make run` uses no published key and keeps its sessions and signatures across restarts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process of the same start may still be writing it
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.1)
        raise
    value = secrets.token_urlsafe(48)
    with os.fdopen(handle, "w") as out:
        out.write(value + "\n")
    return value


SECRET_KEY = env("SECRET_KEY") or kept_secret(VAR_DIR / "secret_key")
HELPDESK_WEBHOOK_SECRET = env("HELPDESK_WEBHOOK_SECRET") or kept_secret(VAR_DIR / "webhook_secret")
HELPDESK_NOTIFICATION_WEBHOOK_SECRET = env(
    "HELPDESK_NOTIFICATION_WEBHOOK_SECRET", HELPDESK_WEBHOOK_SECRET
)

DEBUG = env_bool("DEBUG", True)

# The filesystem broker cannot enqueue into folders that do not exist yet.
for _option in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
    if _option in CELERY_BROKER_TRANSPORT_OPTIONS:
        (VAR_DIR / CELERY_BROKER_TRANSPORT_OPTIONS[_option]).mkdir(parents=True, exist_ok=True)

# Without Redis the sockets live in the server's in-memory layer; the worker forwards to it.
HELPDESK_REALTIME_ACCEPT_FORWARDS = not REDIS_URL

# Without a mail server every mail lands as an .eml file in var/mail/ (open it in any mail
# client); the outbox admin shows each row's mail too.
if not EMAIL_HOST and not env("EMAIL_BACKEND"):
    EMAIL_BACKEND = "core.mailfiles.EmlFileBackend"
