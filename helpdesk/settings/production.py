"""Production: every secret must come from the environment; start-up stops naming the missing one."""

import sys

from .base import *  # noqa: F401,F403
from .base import DATABASES, KNOWN_SECRETS, REST_FRAMEWORK, env, env_bool

REQUIRED = ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "HELPDESK_WEBHOOK_SECRET"]
for _name in REQUIRED:
    if not env(_name):
        sys.stderr.write(f"Missing required setting {_name}: set it in the environment.\n")
        raise SystemExit(1)

for _name in ("SECRET_KEY", "HELPDESK_WEBHOOK_SECRET", "HELPDESK_NOTIFICATION_WEBHOOK_SECRET"):
    if env(_name) in KNOWN_SECRETS:
        sys.stderr.write(
            f"{_name} is a development value published with the source: set a random one "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))').\n"
        )
        raise SystemExit(1)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "")
HELPDESK_WEBHOOK_SECRET = env("HELPDESK_WEBHOOK_SECRET", "")
# Sync HTTP workers keep connections; the ASGI process (daphne) must not (see docs/DEPLOY.md).
DATABASES["default"]["CONN_MAX_AGE"] = int(env("CONN_MAX_AGE", "60") or 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# nginx in front (docs/DEPLOY.md) appends the client to X-Forwarded-For: count that address.
REST_FRAMEWORK["NUM_PROXIES"] = int(env("HELPDESK_NUM_PROXIES", "1") or 0)
# HSTS (sent on HTTPS requests only): a year by default; 0 turns it off. Subdomains and the
# preload list only when asked (docs/DEPLOY.md).
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Plain-HTTP requests are redirected to HTTPS (behind nginx: X-Forwarded-Proto, above), except
# the health check that load balancers call over HTTP. Off with SECURE_SSL_REDIRECT=0; it follows
# SECURE_COOKIES by default, so a plain-HTTP setup (benches on 127.0.0.1) turns both off at once.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", env_bool("SECURE_COOKIES", True))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# `check --deploy` asks for includeSubDomains and preload. They bind every subdomain of the
# domain to HTTPS for the HSTS lifetime (preload: for good, in browsers' built-in lists), which
# only the domain's owner can decide; off until set (docs/DEPLOY.md), so the warnings are
# silenced only while the operator has left them off.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
