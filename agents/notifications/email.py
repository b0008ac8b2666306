from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.defaultfilters import filesizeformat
from django.utils.html import linebreaks, urlize

from tickets.models import Attachment

from .base import Audience, Backend, DeliveryError, Message


def html_part(text: str) -> str:
    """The HTML alternative of a plain-text mail: the same words, escaped, paragraphs and line
    breaks kept, links clickable. Nothing of the text is ever markup."""
    body = linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family: sans-serif; font-size: 14px; line-height: 1.5">'
        f"{body}</body></html>"
    )


class EmailBackend(Backend):
    """Django's mail, to users' addresses (customers, managers, agents), from the support
    address, as plain text with an HTML alternative; a customer's reply carries its thread
    headers (`data["mail_headers"]`) and the comment's files (`data["attachments"]`)."""

    name = "email"

    def recipients(self, audience: Audience) -> list[str]:
        return audience.emails

    def send(self, message: Message) -> None:
        attachments = list(
            Attachment.objects.filter(pk__in=message.data.get("attachments") or []).order_by(
                "created_at", "name"
            )
        )
        body = message.body
        carried, left_out = _fitting(attachments)
        if left_out:
            names = ", ".join(f"{a.name} ({filesizeformat(a.size)})" for a in left_out)
            body += f"\n\nNot attached, too large for mail: {names}"
        mail = EmailMultiAlternatives(
            subject=message.title,
            body=body,
            from_email=settings.HELPDESK_SUPPORT_ADDRESS,
            to=[message.recipient],
            headers=message.data.get("mail_headers") or None,
        )
        mail.attach_alternative(html_part(body), "text/html")
        try:
            for attachment in carried:
                with attachment.file.open("rb") as handle:
                    mail.attach(attachment.name, handle.read(), attachment.content_type)
            mail.send()
        except OSError as exc:  # SMTP connection problems (and a storage hiccup) are retried
            raise DeliveryError(str(exc)) from exc


def _fitting(attachments: list[Attachment]) -> tuple[list[Attachment], list[Attachment]]:
    """The files that fit in one mail (`HELPDESK_MAIL_ATTACHMENTS_MAX_BYTES` in all, in order)
    and those left for the customer to download."""
    budget = settings.HELPDESK_MAIL_ATTACHMENTS_MAX_BYTES
    carried: list[Attachment] = []
    left_out: list[Attachment] = []
    for attachment in attachments:
        if attachment.size <= budget:
            carried.append(attachment)
            budget -= attachment.size
        else:
            left_out.append(attachment)
    return carried, left_out
