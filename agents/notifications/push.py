"""The push backends' former home: `HELPDESK_NOTIFICATION_BACKENDS` values naming
`agents.notifications.push.FCMBackend` or `.APNsBackend` keep working."""

from .apns import APNsBackend
from .fcm import FCMBackend

__all__ = ["APNsBackend", "FCMBackend"]
