from django.conf import settings
from django.core.mail import send_mail

from .base import Audience, Backend, DeliveryError, Message


class EmailBackend(Backend):
    """Django's mail, to users' addresses (customers, managers, agents)."""

    name = "email"

    def recipients(self, audience: Audience) -> list[str]:
        return audience.emails

    def send(self, message: Message) -> None:
        try:
            send_mail(
                subject=message.title,
                message=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[message.recipient],
            )
        except OSError as exc:  # SMTP connection problems are worth a retry
            raise DeliveryError(str(exc)) from exc
