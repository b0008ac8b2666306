"""A customer's phones for push notifications (FCM for android, APNs for ios)."""

from django.contrib.auth.models import User
from django.db import transaction

from ..models import PushDevice


@transaction.atomic
def push_device_register(*, user: User, platform: str, token: str) -> tuple[PushDevice, bool]:
    """Register `token` for `user`; (device, created). A token is one phone: registering it
    again is a no-op, and a token registered by another account moves to this one (the app
    signed in as someone else on that phone), so pushes never reach the previous account."""
    device = PushDevice.objects.select_for_update().filter(token=token).first()
    if device is None:
        device, created = PushDevice.objects.get_or_create(
            token=token, defaults={"user": user, "platform": platform}
        )
        if created:
            return device, True
    if device.user_id != user.pk or device.platform != platform:
        device.user, device.platform = user, platform
        device.save(update_fields=["user", "platform"])
    return device, False


def push_device_remove(*, user: User, device_id: int) -> bool:
    """Forget one of `user`'s devices (sign-out on the phone); False when it is not theirs."""
    deleted, _ = PushDevice.objects.filter(pk=device_id, user=user).delete()
    return deleted > 0


def push_device_prune(*, platform: str, token: str) -> bool:
    """Forget a phone whose token the push provider called dead (FCM UNREGISTERED, APNs 410
    Unregistered or BadDeviceToken): the app was uninstalled or the token replaced."""
    deleted, _ = PushDevice.objects.filter(platform=platform, token=token).delete()
    return deleted > 0
