"""Settings shared by every mode. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path
from typing import Any, overload

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


@overload
def env(name: str) -> str | None: ...
@overload
def env(name: str, default: str) -> str: ...
@overload
def env(name: str, default: None) -> str | None: ...
def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def redis_db(url: str | None) -> str:
    """The database number of a redis:// URL ("0" when none is given)."""
    from urllib.parse import urlsplit

    path = urlsplit(url or "").path.strip("/")
    return path or "0"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


# Published in this repository, so never secret: production refuses them (settings/production.py)
# and `make run` keeps random ones under var/ instead (settings/local.py).
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
DEV_WEBHOOK_SECRET = "dev-webhook-secret"
KNOWN_SECRETS = frozenset({DEV_SECRET_KEY, DEV_WEBHOOK_SECRET, "test-webhook-secret"})

SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "channels",
    "django_celery_beat",
    # the floor plan, bottom to top (docs/ARCHITECTURE.md)
    "core",
    "live",
    "tickets",
    "routing",
    "agents",
    "sla",
    "reports",
    "journey",
    "workspace",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

# Security headers: SecurityMiddleware sends nosniff, the referrer policy (and HSTS in
# production); XFrameOptionsMiddleware X-Frame-Options; core.middleware the CSP below. Scripts
# run only from our own static files (no inline script); styles may be inline (the admin's,
# htmx's indicator style); WebSockets are same-origin (connect-src 'self').
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HELPDESK_CSP = env(
    "HELPDESK_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"
ASGI_APPLICATION = "helpdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'helpdesk.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {}}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
# Sign-in (workspace and admin): failed attempts per username and per client address within a
# window of this many seconds; past either, sign-in is refused until the window ends (0: no limit).
HELPDESK_LOGIN_FAILURES_PER_USERNAME = int(env("HELPDESK_LOGIN_FAILURES_PER_USERNAME", "5") or 0)
HELPDESK_LOGIN_FAILURES_PER_CLIENT = int(env("HELPDESK_LOGIN_FAILURES_PER_CLIENT", "20") or 0)
HELPDESK_LOGIN_WINDOW_SECONDS = int(env("HELPDESK_LOGIN_WINDOW_SECONDS", "900") or 900)
# API tokens (core/tokens.py) expire this many days after issue; empty or 0: never.
HELPDESK_TOKEN_DAYS = int(env("HELPDESK_TOKEN_DAYS", "") or 0) or None
LOGIN_REDIRECT_URL = "/workspace/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Attachments are files in the default storage: local files under MEDIA_ROOT, or any
# S3-compatible store (AWS, MinIO, Ceph, R2...) through django-storages when a bucket is named.
# They are never served from MEDIA_URL: every download goes through the ticket's access check.
MEDIA_ROOT = Path(env("HELPDESK_MEDIA_ROOT", str(VAR_DIR / "media")) or "")
HELPDESK_ATTACHMENT_S3_BUCKET = env("HELPDESK_ATTACHMENT_S3_BUCKET")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if HELPDESK_ATTACHMENT_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": HELPDESK_ATTACHMENT_S3_BUCKET,
            "endpoint_url": env("HELPDESK_ATTACHMENT_S3_ENDPOINT_URL"),
            "region_name": env("HELPDESK_ATTACHMENT_S3_REGION"),
            "access_key": env("HELPDESK_ATTACHMENT_S3_ACCESS_KEY"),
            "secret_key": env("HELPDESK_ATTACHMENT_S3_SECRET_KEY"),
            "location": env("HELPDESK_ATTACHMENT_S3_PREFIX", "attachments"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
# One attachment over this is refused (API and forms: 413; mail: the file is left out and
# the comment says so). A message takes at most HELPDESK_ATTACHMENT_MAX_FILES files.
HELPDESK_ATTACHMENT_MAX_BYTES = int(
    env("HELPDESK_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)) or 0
)
HELPDESK_ATTACHMENT_MAX_FILES = int(env("HELPDESK_ATTACHMENT_MAX_FILES", "10") or 10)
# The files one outgoing mail carries in all; the rest are named in the mail, not attached.
HELPDESK_MAIL_ATTACHMENTS_MAX_BYTES = int(
    env("HELPDESK_MAIL_ATTACHMENTS_MAX_BYTES", str(20 * 1024 * 1024)) or 0
)
# Uploads over 2.5 MB go to a temporary file, not memory (Django's default, stated).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.AnonRateThrottle",
        "core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("HELPDESK_THROTTLE_ANON", "120/min"),
        "user": env("HELPDESK_THROTTLE_USER", "600/min"),
        "webhook": env("HELPDESK_THROTTLE_WEBHOOK", "6000/min"),
    },
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    # Proxies in front that append to X-Forwarded-For: rate limits (API and pages) count the
    # address they saw. 0 (no proxy): REMOTE_ADDR only, so a client cannot pick its own address.
    "NUM_PROXIES": int(env("HELPDESK_NUM_PROXIES", "0") or 0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Help desk API",
    "DESCRIPTION": "Tickets, comments, routing, assignment, SLA and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # one name for the priority choices wherever they appear (`priority`, a macro's `set_priority`)
    "ENUM_NAME_OVERRIDES": {"PriorityEnum": "tickets.models.Priority"},
    # Every operation's error answers (core/api/errors.py's shape), which views do not list.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
}

# Celery: with no REDIS_URL the embedded default runs tasks on a local filesystem broker.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = (
    {}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Help desk
HELPDESK_WEBHOOK_SECRET = env("HELPDESK_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET)
# Signatures with X-Helpdesk-Timestamp are refused this many seconds from now (replays). The
# old body-only signature (no timestamp) is accepted while HELPDESK_WEBHOOK_ALLOW_UNTIMED is on
# (the default, CONTRACT.md); turn it off once every integration sends the timestamp.
HELPDESK_WEBHOOK_TOLERANCE_SECONDS = int(env("HELPDESK_WEBHOOK_TOLERANCE_SECONDS", "300") or 300)
HELPDESK_WEBHOOK_ALLOW_UNTIMED = env_bool("HELPDESK_WEBHOOK_ALLOW_UNTIMED", True)
HELPDESK_WEBHOOK_MAX_BYTES = int(env("HELPDESK_WEBHOOK_MAX_BYTES", str(256 * 1024)) or 0)
HELPDESK_MAIL_MAX_BYTES = int(env("HELPDESK_MAIL_MAX_BYTES", str(25 * 1024 * 1024)) or 0)
# Mail from one address beyond this many in an hour is dropped (a mail loop, abuse); 0: no limit
HELPDESK_MAIL_SENDER_HOURLY_LIMIT = int(env("HELPDESK_MAIL_SENDER_HOURLY_LIMIT", "30") or 0)
# The public web form (/support/new/): posts an hour per client address and per e-mail address
# (each one mails that address); 0: no limit.
HELPDESK_WEBFORM_PER_CLIENT = int(env("HELPDESK_WEBFORM_PER_CLIENT", "10") or 0)
HELPDESK_WEBFORM_PER_ADDRESS = int(env("HELPDESK_WEBFORM_PER_ADDRESS", "3") or 0)
HELPDESK_MAX_SUBJECT = 255
HELPDESK_MAX_BODY = 50_000
ANTHROPIC_API_KEY = env("ANTHROPIC_API_KEY")
ANTHROPIC_BASE_URL = env("ANTHROPIC_BASE_URL")
HELPDESK_LLM_MODEL = env("HELPDESK_LLM_MODEL", "claude-sonnet-4-6")
HELPDESK_MODEL_DIR = Path(env("HELPDESK_MODEL_DIR", str(VAR_DIR / "models")) or "")

# Mail (CONTRACT.md): with EMAIL_HOST set mail goes out over SMTP, else to the console
# (`make run`: to .eml files under EMAIL_FILE_PATH, see settings/local.py).
# HELPDESK_SUPPORT_ADDRESS is the address customers write to and replies come from.
EMAIL_HOST = env("EMAIL_HOST", "")
EMAIL_PORT = int(env("EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
# IMAP mailboxes (admin: Journey → Mailboxes) read their password from
# HELPDESK_IMAP_PASSWORD_<SLUG>, the mailbox's slug in capitals with "-" as "_".
HELPDESK_IMAP_PASSWORDS = {
    name: value for name, value in os.environ.items() if name.startswith("HELPDESK_IMAP_PASSWORD_")
}
HELPDESK_IMAP_TIMEOUT = float(env("HELPDESK_IMAP_TIMEOUT", "30") or 30)
EMAIL_FILE_PATH = Path(env("EMAIL_FILE_PATH", str(VAR_DIR / "mail")) or "")
HELPDESK_SUPPORT_ADDRESS = env("HELPDESK_SUPPORT_ADDRESS", "support@localhost")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", HELPDESK_SUPPORT_ADDRESS)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Reports (H7): CSAT rating links. HELPDESK_PUBLIC_URL makes links in mail absolute
# (e.g. https://help.example.com); links expire after HELPDESK_CSAT_MAX_AGE_DAYS.
HELPDESK_PUBLIC_URL = env("HELPDESK_PUBLIC_URL", "") or ""
HELPDESK_CSAT_MAX_AGE_DAYS = int(env("HELPDESK_CSAT_MAX_AGE_DAYS", "90") or 90)
# Overview periods of at least this many days (no queue/channel/agent filter) are read from the
# daily rollup; report queries get this much sort memory (PostgreSQL work_mem, per transaction).
HELPDESK_REPORTS_ROLLUP_MIN_DAYS = int(env("HELPDESK_REPORTS_ROLLUP_MIN_DAYS", "60") or 60)
HELPDESK_REPORTS_WORK_MEM = env("HELPDESK_REPORTS_WORK_MEM", "64MB")

# Assignment and notifications (H4, docs/ASSIGNMENT.md). Backends are dotted paths; each one with
# nothing configured (no webhook URL, no FCM project, no APNs topic) simply has no recipients.
HELPDESK_ASSIGNMENT_STATS_TTL = int(env("HELPDESK_ASSIGNMENT_STATS_TTL", "30") or 0)
HELPDESK_NOTIFICATION_BACKENDS = env_list(
    "HELPDESK_NOTIFICATION_BACKENDS",
    "agents.notifications.email.EmailBackend,agents.notifications.webhook.WebhookBackend,"
    "agents.notifications.fcm.FCMBackend,agents.notifications.apns.APNsBackend",
)
HELPDESK_NOTIFICATION_WEBHOOK_URL = env("HELPDESK_NOTIFICATION_WEBHOOK_URL")
HELPDESK_NOTIFICATION_WEBHOOK_SECRET = env(
    "HELPDESK_NOTIFICATION_WEBHOOK_SECRET", HELPDESK_WEBHOOK_SECRET
)
HELPDESK_NOTIFICATION_MAX_ATTEMPTS = int(env("HELPDESK_NOTIFICATION_MAX_ATTEMPTS", "12") or 12)
HELPDESK_NOTIFICATION_BACKOFF_SECONDS = int(
    env("HELPDESK_NOTIFICATION_BACKOFF_SECONDS", "30") or 30
)
# FCM HTTP v1 (docs/DEPLOY.md "Push"): OAuth access tokens minted from the Firebase project's
# service-account JSON; the project id defaults to the one in that file. HELPDESK_FCM_URL and
# HELPDESK_FCM_TOKEN_URL (default: the file's token_uri) point elsewhere for tests or a relay.
HELPDESK_FCM_CREDENTIALS_FILE = env("HELPDESK_FCM_CREDENTIALS_FILE")
HELPDESK_FCM_PROJECT_ID = env("HELPDESK_FCM_PROJECT_ID")
HELPDESK_FCM_URL = env("HELPDESK_FCM_URL", "https://fcm.googleapis.com")
HELPDESK_FCM_TOKEN_URL = env("HELPDESK_FCM_TOKEN_URL")
# APNs (docs/DEPLOY.md "Push"): HTTP/2 with a provider JWT signed by the .p8 key of the Apple
# developer account (key id, team id); the topic is the app's bundle id. The sandbox host serves
# development builds of the app; HELPDESK_APNS_URL overrides the host (tests, a relay).
HELPDESK_APNS_TOPIC = env("HELPDESK_APNS_TOPIC")
HELPDESK_APNS_KEY_PATH = env("HELPDESK_APNS_KEY_PATH")
HELPDESK_APNS_KEY_ID = env("HELPDESK_APNS_KEY_ID")
HELPDESK_APNS_TEAM_ID = env("HELPDESK_APNS_TEAM_ID")
HELPDESK_APNS_SANDBOX = env_bool("HELPDESK_APNS_SANDBOX", False)
HELPDESK_APNS_URL = env("HELPDESK_APNS_URL") or (
    "https://api.sandbox.push.apple.com" if HELPDESK_APNS_SANDBOX else "https://api.push.apple.com"
)
HELPDESK_APNS_CA_FILE = env("HELPDESK_APNS_CA_FILE")  # extra CA bundle (a TLS-inspecting proxy)
# Apple accepts a provider token for 60 minutes and refuses new ones more often than every 20
HELPDESK_APNS_TOKEN_REFRESH_SECONDS = int(
    env("HELPDESK_APNS_TOKEN_REFRESH_SECONDS", "3000") or 3000
)
HELPDESK_APNS_EXPIRATION_SECONDS = int(env("HELPDESK_APNS_EXPIRATION_SECONDS", "86400") or 86400)

# Live events (H6, docs/WORKSPACE.md). HELPDESK_WS_LAYER picks the Redis channel layer:
# "pubsub" (default): a group message is published once and each daphne process hands it to its own
# sockets in memory; "core": channels-redis' list layer, which copies every group message into each
# member's Redis list (per-channel queues; measured much slower for the busy workspace group).
# redis-py 8 reads with a 5 s socket timeout, the same as the core layer's blocking pop: idle
# sockets then died after 5 s, so the layer's connections get a longer one. The core layer drops
# group messages beyond `capacity` (default 100) per daphne process: HELPDESK_WS_CAPACITY.
if REDIS_URL:
    HELPDESK_WS_LAYER = env("HELPDESK_WS_LAYER", "pubsub") or "pubsub"
    if HELPDESK_WS_LAYER not in ("pubsub", "core"):
        raise ImproperlyConfigured("HELPDESK_WS_LAYER must be 'pubsub' or 'core'")
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [{"address": REDIS_URL, "socket_timeout": 30}]
    # Redis Pub/Sub channels ignore the database number: two deployments (or test runs) on one
    # Redis server would receive each other's group messages. The prefix keeps them apart; set
    # HELPDESK_WS_PREFIX when two deployments share one Redis database number.
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = env(
        "HELPDESK_WS_PREFIX", f"helpdesk{redis_db(REDIS_URL)}"
    )
    if HELPDESK_WS_LAYER == "pubsub":
        CHANNEL_LAYERS["default"]["BACKEND"] = "channels_redis.pubsub.RedisPubSubChannelLayer"
    else:
        CHANNEL_LAYERS["default"]["CONFIG"]["capacity"] = int(
            env("HELPDESK_WS_CAPACITY", "1500") or 1500
        )

# Routing policy (H3a, docs/ROUTING.md). With ANTHROPIC_API_KEY set, HELPDESK_LLM_POLICY says how
# Claude and the local model combine: "low_confidence" (default: Claude only when the local model
# is unsure), "always" (Claude first, local on failure), "never". HELPDESK_DEFAULT_QUEUE: slug of
# the queue for tickets no rule or model placed (empty: the triage queue).
HELPDESK_LLM_POLICY = env("HELPDESK_LLM_POLICY", "low_confidence")
HELPDESK_DEFAULT_QUEUE = env("HELPDESK_DEFAULT_QUEUE", "")

# Routing classifiers (H3b, docs/ROUTING.md). HELPDESK_MODEL_CHECK_SECONDS: how often a process
# re-checks which local model version is active (it swaps to a new one without a restart).
# HELPDESK_LLM_TIMEOUT: seconds for the whole Claude call (no retries), so the fallback to the
# local model comes within 2 s.
# Examples per operation and role of the schemathesis run (tests/test_api_schema_fuzz.py).
HELPDESK_FUZZ_EXAMPLES = int(env("HELPDESK_FUZZ_EXAMPLES", "10") or 10)
HELPDESK_MODEL_CHECK_SECONDS = float(env("HELPDESK_MODEL_CHECK_SECONDS", "5") or 5)
HELPDESK_LLM_TIMEOUT = float(env("HELPDESK_LLM_TIMEOUT", "1.8") or 1.8)

# API docs (H1, docs/API.md): Swagger UI and Redoc served from our own static files, not a CDN,
# so /api/docs/ works offline.
INSTALLED_APPS += ["drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS.update(
    {"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR", "REDOC_DIST": "SIDECAR"}
)

# --- Ingestion -----------------------------------------------------------------------------
# With Redis the webhook stores and answers at once; routing, assignment and SLA run in a Celery
# task on commit. The embedded default (no Redis) runs them inside the request, so their live
# events reach the in-memory channel layer of the one server process.
HELPDESK_INGEST_DEFERRED = env_bool("HELPDESK_INGEST_DEFERRED", bool(REDIS_URL))
# Seconds within which a web process does not ring the intake doorbell again (journey/doorbell.py);
# a drain waits twice this before its last look for work. 0: ring on every ticket.
HELPDESK_INTAKE_RING_MEMO = float(env("HELPDESK_INTAKE_RING_MEMO", "0.05") or 0.05)

# --- Live events: how long a background worker's sender gathers events before sending ---------
# Web processes send 2 ms after a commit (live.sender.LINGER). A Celery worker's events
# (the deferred intake's routing and assignment, SLA escalations) have no one waiting on a
# request, so its sender gathers them for this long: under load several tickets' events then
# leave as one message, which daphne writes to each workspace socket in one send.
HELPDESK_REALTIME_WORKER_LINGER = float(env("HELPDESK_REALTIME_WORKER_LINGER", "0.05") or 0.05)

# --- Live events from background processes of the embedded default --------------------------
# `make run` (no Redis) starts its worker with HELPDESK_REALTIME_FORWARD_URL pointing at the
# server, which accepts signed forwards only when HELPDESK_REALTIME_ACCEPT_FORWARDS is on (local).
HELPDESK_REALTIME_FORWARD_URL = env("HELPDESK_REALTIME_FORWARD_URL", "") or ""
HELPDESK_REALTIME_ACCEPT_FORWARDS = False
