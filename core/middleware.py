"""Content-Security-Policy on every response that has none of its own (Django 5.2 has no CSP
setting; SecurityMiddleware sends the other security headers). The policy is the setting
HELPDESK_CSP: scripts only from our own static files (no inline script anywhere, the reports'
data travels in `json_script` blocks), no framing (`frame-ancestors 'none'`). A view that sets
its own policy keeps it: attachment downloads send a stricter, sandboxing one."""

from django.conf import settings
from django.utils.deprecation import MiddlewareMixin

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        policy = settings.HELPDESK_CSP
        if policy and HEADER not in response:
            response[HEADER] = policy
        return response
