"""Two middlewares.

Content-Security-Policy on every response that has none of its own (Django 5.2 has no CSP
setting; SecurityMiddleware sends the other security headers). The policy is the setting
HELPDESK_CSP: scripts only from our own static files (no inline script anywhere, the reports'
data travels in `json_script` blocks), no framing (`frame-ancestors 'none'`). A view that sets
its own policy keeps it: attachment downloads send a stricter, sandboxing one.

A request that loses the database (PostgreSQL restarting, a failover) answers 503 with
`Retry-After` instead of a 500: whatever it wrote was in a transaction the server rolled back,
and the next request reconnects (CONN_HEALTH_CHECKS), so the client may simply try again."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.deprecation import MiddlewareMixin

from core.api.errors import json_error

logger = logging.getLogger(__name__)

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        policy = settings.HELPDESK_CSP
        if policy and HEADER not in response:
            response[HEADER] = policy
        return response


DATABASE_RETRY_AFTER = 5  # seconds: about what a PostgreSQL restart or failover takes


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "database unavailable for %s %s: %s", request.method, request.path, exception
        )
        message = "The service is briefly unavailable; please retry shortly."
        if request.path.startswith("/api/"):
            response = json_error(503, message, code="unavailable")
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
