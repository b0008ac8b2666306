"""Reads about tickets. Access is decided here and only here; the API and WebSockets use it."""

import re
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery

from core.roles import MANAGERS_GROUP, agent_profile, user_role

from .models import Attachment, Comment, CustomerAccount, MailMessage, Ticket
from .search import ticket_search

AnyUser = AbstractBaseUser | AnonymousUser  # whoever made the request, signed in or not


def ticket_visible_q(user: AnyUser | None) -> Q | None:
    """The filter of tickets `user` may see; None means none at all."""
    role = user_role(user)
    if role == "manager":
        return Q()
    if role == "agent":
        agent = agent_profile(user)
        if agent.all_queues:
            return Q()
        return Q(queue__in=agent.queues.values("id")) | Q(assigned_agent=agent)
    if role == "customer":
        return Q(customer=user)
    return None


def ticket_list(*, user: AnyUser | None, filters: dict | None = None) -> QuerySet[Ticket]:
    """The tickets `user` may see, filtered; newest first, or best match first for a search."""
    q = ticket_visible_q(user)
    if q is None:
        return Ticket.objects.none()
    qs = Ticket.objects.filter(q)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("queue"):
        qs = qs.filter(queue__slug=filters["queue"])
    if filters.get("priority"):
        qs = qs.filter(priority=filters["priority"])
    if filters.get("search"):
        qs = ticket_search(qs, text=filters["search"])  # scoped by `qs`
    else:
        qs = qs.order_by("-created_at")
    return qs.select_related(*TICKET_JOINS)


TICKET_JOINS = ("queue", "category", "subcategory", "assigned_agent__user")


def ticket_get(*, user: AnyUser | None, ticket_id: uuid.UUID | str) -> Ticket | None:
    """The ticket if `user` may see it; None for missing and not-yours alike."""
    try:
        return ticket_list(user=user).get(pk=ticket_id)
    except (Ticket.DoesNotExist, ValueError, ValidationError):
        return None


_REF = re.compile(r"#?([0-9a-fA-F]{8})")


def ticket_find(*, user: AnyUser | None, ref: str) -> Ticket | None:
    """A ticket `user` may see, by its id or by the short reference people quote (`#1A2B3C4D`,
    the id's first 8 hex digits; the oldest such ticket). None for anything else."""
    ref = (ref or "").strip()
    short = _REF.fullmatch(ref)
    if short is None:
        return ticket_get(user=user, ticket_id=ref)
    prefix = short.group(1).lower()
    low, high = uuid.UUID(prefix + "0" * 24), uuid.UUID(prefix + "f" * 24)
    return ticket_list(user=user).filter(pk__gte=low, pk__lte=high).order_by("created_at").first()


def ticket_user_can_view(*, user: AnyUser, ticket: Ticket) -> bool:
    q = ticket_visible_q(user)
    return q is not None and Ticket.objects.filter(q, pk=ticket.pk).exists()


def comment_list(*, ticket: Ticket, user: AnyUser | None) -> QuerySet[Comment]:
    """The conversation as `user` may see it: internal notes only for agents and managers
    (a customer, a visitor with a status link and anyone else get public comments only)."""
    qs = ticket.comments.select_related("author").prefetch_related("attachments")
    if user_role(user) not in ("agent", "manager"):
        qs = qs.filter(internal=False)
    return qs


def ticket_attachments(*, ticket: Ticket) -> QuerySet[Attachment]:
    """The files sent with the ticket itself (its first message); comments carry their own."""
    return ticket.attachments.filter(comment__isnull=True)


def attachment_get(*, user: AnyUser | None, attachment_id: uuid.UUID | str) -> Attachment | None:
    """A file `user` may download: one of a ticket they may see, and for anyone but agents and
    managers never one of an internal note. None for missing, not yours and malformed ids."""
    q = ticket_visible_q(user)
    if q is None:
        return None
    try:
        found = Attachment.objects.filter(
            pk=attachment_id, ticket__in=Ticket.objects.filter(q).values("pk")
        )
        if user_role(user) not in ("agent", "manager"):
            found = found.exclude(comment__internal=True)
        return found.first()
    except (ValidationError, ValueError):
        return None


def ticket_attachment_public(
    *, ticket: Ticket, attachment_id: uuid.UUID | str
) -> Attachment | None:
    """A file of `ticket` as its customer sees it (a status-link visitor): never an internal
    note's."""
    try:
        return ticket.attachments.filter(pk=attachment_id).exclude(comment__internal=True).first()
    except (ValidationError, ValueError):
        return None


def comments_with_mail_original(comments: QuerySet[Comment]) -> QuerySet[Comment]:
    """Each comment with `mail_original`: the mail it came from as received, when quoted history
    or a signature was trimmed from it (else None). For staff: the customer's own words only."""
    received = MailMessage.objects.filter(
        comment=OuterRef("pk"), direction=MailMessage.Direction.IN
    ).exclude(original="")
    return comments.annotate(mail_original=Subquery(received.values("original")[:1]))


def ticket_mail_original(*, ticket: Ticket) -> str:
    """The mail that opened the ticket as received, when something was trimmed from it."""
    first = (
        MailMessage.objects.filter(
            ticket=ticket, comment__isnull=True, direction=MailMessage.Direction.IN
        )
        .exclude(original="")
        .values_list("original", flat=True)
        .first()
    )
    return first or ""


def ticket_by_external_id(*, external_id: str) -> Ticket | None:
    """The ticket an integration already sent under this id (the webhook's retry path)."""
    # get(), not first(): first() would add the default ORDER BY created_at, and for an id that
    # is not there PostgreSQL may then walk the whole created_at index instead of the unique one.
    try:
        return Ticket.objects.get(external_id=external_id)
    except Ticket.DoesNotExist:
        return None


def customer_for_email(*, email: str) -> User | None:
    """The (oldest) customer account with this e-mail; never an agent, a manager or a staff
    (admin) account, even when the address is theirs."""
    if not email:
        return None
    return (
        get_user_model()
        .objects.filter(
            email__iexact=email,
            is_active=True,
            is_superuser=False,
            is_staff=False,
            agent_profile__isnull=True,
        )
        .exclude(groups__name=MANAGERS_GROUP)
        .order_by("pk")
        .first()
    )


def customer_account_facts(*, email: str) -> dict:
    """The account an integration described for this e-mail, as plain facts ({} if none)."""
    account = CustomerAccount.objects.filter(email=(email or "").lower()).first() if email else None
    return account.as_facts() if account else {}
