"""`manage.py check` warns about push half configured: a topic without its key, a project without
its service account, or a file that cannot be read. Otherwise the first push would be the first
to say so, in an outbox row's `last_error`."""

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


def _apns() -> list[CheckMessage]:
    if not settings.HELPDESK_APNS_TOPIC:
        return []
    names = ("HELPDESK_APNS_KEY_PATH", "HELPDESK_APNS_KEY_ID", "HELPDESK_APNS_TEAM_ID")
    missing = [name for name in names if not getattr(settings, name)]
    if missing:
        return [
            Warning(f"HELPDESK_APNS_TOPIC is set but {', '.join(missing)} not", id="agents.W001")
        ]
    path = str(settings.HELPDESK_APNS_KEY_PATH)
    try:
        key = load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        return [Warning(f"APNs key {path} cannot be read: {exc}", id="agents.W002")]
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return [Warning(f"APNs key {path} is not an ES256 (.p8) key", id="agents.W002")]
    return []


def _fcm() -> list[CheckMessage]:
    path = settings.HELPDESK_FCM_CREDENTIALS_FILE
    if not path:
        if settings.HELPDESK_FCM_PROJECT_ID:
            return [
                Warning(
                    "HELPDESK_FCM_PROJECT_ID is set but HELPDESK_FCM_CREDENTIALS_FILE not",
                    id="agents.W003",
                )
            ]
        return []
    try:
        account = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        return [Warning(f"FCM service account {path} cannot be read: {exc}", id="agents.W004")]
    fields = ("client_email", "private_key", "token_uri")
    if not isinstance(account, dict) or any(not account.get(field) for field in fields):
        return [Warning(f"FCM {path} is not a service-account key file", id="agents.W004")]
    return []


@register()
def push_settings_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return _apns() + _fcm()
