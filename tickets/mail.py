"""The threading of a ticket's mail: the Message-IDs the help desk sent and received for it, the
headers of its next outgoing mail (its own Message-ID, In-Reply-To and References naming the
customer's last message), and the subject token `[#<ref>]` that finds the ticket again."""

import re
import uuid

from django.conf import settings

from .models import Comment, MailMessage, Ticket

TOKEN = re.compile(r"\[#([0-9A-F]{8})\]", re.IGNORECASE)
MAX_REFERENCES = 10


def new_message_id() -> str:
    domain = settings.HELPDESK_SUPPORT_ADDRESS.rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def reply_subject(ticket: Ticket) -> str:
    """`Re: <subject> [#<ref>]`: the token finds the ticket even when a client drops headers."""
    subject = (
        ticket.subject if ticket.subject.lower().startswith("re:") else f"Re: {ticket.subject}"
    )
    return f"{subject} [#{ticket.ref}]"


def outgoing_headers(*, ticket: Ticket, comment: Comment | None) -> dict[str, str]:
    """The headers of the next mail to the customer, recorded so a reply to it threads back."""
    earlier = list(
        MailMessage.objects.filter(ticket=ticket)
        .order_by("-created_at", "-id")
        .values_list("message_id", "direction")[:MAX_REFERENCES]
    )
    message_id = new_message_id()
    MailMessage.objects.create(
        ticket=ticket, comment=comment, direction=MailMessage.Direction.OUT, message_id=message_id
    )
    headers = {"Message-ID": message_id}
    last_in = next((mid for mid, direction in earlier if direction == MailMessage.Direction.IN), "")
    if last_in:
        headers["In-Reply-To"] = last_in
    if earlier:
        headers["References"] = " ".join(mid for mid, _ in reversed(earlier))
    return headers


def ticket_for_reply(*, in_reply_to: str, references: list[str], subject: str) -> Ticket | None:
    """The ticket a received mail answers: by a Message-ID it names, else by the subject's token.
    A reply to a merged ticket lands on the ticket it was merged into."""
    named = [mid for mid in [in_reply_to, *reversed(references)] if mid]
    if named:
        found = MailMessage.objects.filter(message_id__in=named).select_related("ticket").first()
        if found is not None:
            return _merge_target(found.ticket)
    token = TOKEN.search(subject or "")
    if token:
        ticket = _by_ref(token.group(1).lower())
        return _merge_target(ticket) if ticket is not None else None
    return None


def _merge_target(ticket: Ticket, *, hops: int = 10) -> Ticket:
    """The ticket a merged one was folded into, following merges of merges (a bounded walk: a
    cycle, which merging never makes, cannot hang it)."""
    while ticket.merged_into_id is not None and hops > 0:
        target = Ticket.objects.filter(pk=ticket.merged_into_id).first()
        if target is None:
            break
        ticket, hops = target, hops - 1
    return ticket


def _by_ref(ref: str) -> Ticket | None:
    """The ticket whose id begins with `ref` (8 hex digits of its UUID)."""
    low = uuid.UUID(ref + "0" * 24)
    high = uuid.UUID(ref + "f" * 24)
    return Ticket.objects.filter(pk__gte=low, pk__lte=high).order_by("created_at").first()
