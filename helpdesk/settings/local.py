"""The embedded default of `make run`: SQLite under var/, in-memory channels, local job broker."""

from .base import *  # noqa: F401,F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, EMAIL_HOST, REDIS_URL, VAR_DIR, env, env_bool

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
