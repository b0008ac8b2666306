from django.conf import settings
from django.core.mail import EmailMessage

from .base import Audience, Backend, DeliveryError, Message


class EmailBackend(Backend):
    """Django's mail, to users' addresses (customers, managers, agents), from the support
    address; a customer's reply carries its thread headers (`data["mail_headers"]`)."""

    name = "email"

    def recipients(self, audience: Audience) -> list[str]:
        return audience.emails

    def send(self, message: Message) -> None:
        try:
            EmailMessage(
                subject=message.title,
                body=message.body,
                from_email=settings.HELPDESK_SUPPORT_ADDRESS,
                to=[message.recipient],
                headers=message.data.get("mail_headers") or None,
            ).send()
        except OSError as exc:  # SMTP connection problems are worth a retry
            raise DeliveryError(str(exc)) from exc
