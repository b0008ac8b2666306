"""Serializer pieces shared by the webhook and the `/api/v1/` views: normalising input fields,
the mobile context, and the ticket and comment as the API shows them."""

import json
import re
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.roles import is_staff_role
from tickets import text
from tickets.models import Attachment, AuthorKind, Comment, Ticket


class CleanCharField(serializers.CharField):
    """A short string, trimmed, without characters PostgreSQL cannot store."""

    def to_internal_value(self, data):
        value = text.clean_text(super().to_internal_value(data)).strip()
        if not value and not self.allow_blank:
            self.fail("blank")
        return value


class LineField(serializers.CharField):
    """One line (a subject): HTML removed, whitespace collapsed, cut to `limit` characters."""

    def __init__(self, *, limit: int | None = None, **kwargs):
        self.limit = limit
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = text.normalise_line(
            super().to_internal_value(data), limit=self.limit or settings.HELPDESK_MAX_SUBJECT
        )
        if not value:
            self.fail("blank")
        return value


class BodyField(serializers.CharField):
    """A message body: HTML turned into text, trimmed, cut to `HELPDESK_MAX_BODY` characters."""

    def to_internal_value(self, data):
        value = text.normalise_body(
            super().to_internal_value(data), limit=settings.HELPDESK_MAX_BODY
        )
        if not value:
            self.fail("blank")
        return value


class NormalisedEmailField(serializers.EmailField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = text.normalise_email(super().to_internal_value(data))
        if len(value.rpartition("@")[0]) > 64:  # RFC 5321's limit: mail to it would bounce
            self.fail("invalid")
        return value


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": 500},
            {"type": "object", "additionalProperties": True},
        ]
    }
)
class SessionEventField(serializers.Field):
    """One session event: a string (≤ 500 characters) or a small JSON object (≤ 2,000)."""

    default_error_messages = {
        "invalid": "Each session event must be a string or an object.",
        "too_long": "A session event may have at most {limit} characters.",
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            value = text.clean_text(data).strip()
            if len(value) > 500:
                self.fail("too_long", limit=500)
            return value
        if isinstance(data, dict):
            value = text.clean_json(data)
            if len(json.dumps(value)) > 2000:
                self.fail("too_long", limit=2000)
            return value
        self.fail("invalid")

    def to_representation(self, value):
        return value


_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


class SlugRefField(serializers.SlugRelatedField):
    """A reference by slug that refuses non-slugs before they reach the database (a NUL
    character in a query is a database error, not a missing row)."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _SLUG.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:100])
        return super().to_internal_value(data)


def _short(max_length: int) -> CleanCharField:
    return CleanCharField(max_length=max_length, required=False, allow_blank=True, allow_null=True)


class ContextSerializer(serializers.Serializer):
    """The mobile app's metadata about where the customer was; unknown keys are dropped."""

    platform = _short(32)
    app_version = _short(64)
    os_version = _short(64)
    last_screen = _short(200)
    locale = _short(35)
    user_id = _short(128)
    previous_tickets_count = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, allow_null=True
    )
    session_events = serializers.ListField(
        child=SessionEventField(), max_length=20, required=False, allow_null=True
    )

    class Meta:
        ref_name = "TicketContext"

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        return {key: value for key, value in values.items() if value not in (None, "")}


class BillingEventSerializer(serializers.Serializer):
    type = CleanCharField(max_length=64)
    at = serializers.DateTimeField(required=False, allow_null=True)
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )

    class Meta:
        ref_name = "BillingEvent"


class AccountSerializer(serializers.Serializer):
    """The customer's account as the integration knows it (plan, tier, revenue, billing)."""

    plan = CleanCharField(max_length=100, required=False, allow_blank=True, default="")
    tier = CleanCharField(max_length=100, required=False, allow_blank=True, default="")
    mrr = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    billing_events = serializers.ListField(
        child=BillingEventSerializer(), max_length=20, required=False, default=list
    )

    class Meta:
        ref_name = "CustomerAccount"

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["billing_events"] = [
            {
                key: (str(value) if key != "type" and value is not None else value)
                for key, value in event.items()
            }
            for event in values.get("billing_events", [])
        ]
        return values


def language_from_context(context: dict) -> str:
    """ "de_DE" / "de-DE" / "de" → "de"; anything else → ""."""
    locale = (context.get("locale") or "").replace("-", "_").split("_", 1)[0].lower()
    return locale if locale.isalpha() and 2 <= len(locale) <= 3 else ""


class AgentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "AgentRef"


class AttachmentOutputSerializer(serializers.ModelSerializer):
    """A file of a ticket or comment; `url` downloads it with the same access as the ticket."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        ref_name = "Attachment"
        fields = ["id", "name", "size", "content_type", "url"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("api-attachment", args=[attachment.pk])
        request = self.context.get("request")
        if request is not None:
            return request.build_absolute_uri(path)
        return f"{settings.HELPDESK_PUBLIC_URL.rstrip('/')}{path}"


TICKET_FILES = "ticket_files"  # the prefetched files of the ticket itself (not its comments')


def with_ticket_files(tickets: Any) -> None:
    prefetch_related_objects(
        list(tickets),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.filter(comment__isnull=True),
            to_attr=TICKET_FILES,
        ),
    )


class TicketOutputSerializer(serializers.ModelSerializer):
    """A ticket as a customer sees it. The contract's keys are all there, but what routing
    thinks of the ticket stays with staff: `confidence` and `routing_reason` are null and
    `tags` empty (the WebSocket's customer events leave them out too)."""

    for_staff = False

    queue: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    subcategory: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    assigned_agent = AgentRefSerializer(read_only=True, allow_null=True)
    routing_reason = serializers.CharField(read_only=True, allow_null=True)  # null for customers
    context = serializers.JSONField(read_only=True)  # type: ignore[assignment]  # a field named `context`
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        ref_name = "Ticket"
        fields = [
            "id",
            "external_id",
            "subject",
            "body",
            "channel",
            "status",
            "category",
            "subcategory",
            "priority",
            "queue",
            "assigned_agent",
            "confidence",
            "routing_reason",
            "tags",
            "context",
            "language",
            "customer_email",
            "sla_first_response_due",
            "sla_resolution_due",
            "escalation_level",
            "first_response_at",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
            "attachments",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.for_staff:
            data.update(confidence=None, routing_reason=None, tags=[])
        return data

    @extend_schema_field(AttachmentOutputSerializer(many=True))
    def get_attachments(self, ticket: Ticket) -> Any:
        files = getattr(ticket, TICKET_FILES, None)
        if files is None:
            files = ticket.attachments.filter(comment__isnull=True)
        context: dict = getattr(self.root, "_context", {})  # not the field named `context`
        return AttachmentOutputSerializer(files, many=True, context=context).data


class StaffTicketOutputSerializer(TicketOutputSerializer):
    """A ticket as an agent or manager sees it: also routing's view and the AI's suggested reply."""

    for_staff = True

    class Meta(TicketOutputSerializer.Meta):
        ref_name = "StaffTicket"
        fields = [
            *TicketOutputSerializer.Meta.fields,
            "suggested_reply",
            "reopened_count",
            "merged_into",
        ]
        read_only_fields = fields


def ticket_output(ticket: Ticket, *, user, request=None) -> dict:
    serializer = StaffTicketOutputSerializer if is_staff_role(user) else TicketOutputSerializer
    return serializer(ticket, context={"request": request}).data


def ticket_list_output(tickets, *, user, request=None) -> Any:
    serializer = StaffTicketOutputSerializer if is_staff_role(user) else TicketOutputSerializer
    tickets = list(tickets)
    with_ticket_files(tickets)
    return serializer(tickets, many=True, context={"request": request}).data


class CommentOutputSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = AttachmentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        ref_name = "Comment"
        fields = ["id", "body", "author_kind", "author", "internal", "created_at", "attachments"]
        read_only_fields = fields

    def get_author(self, comment: Comment) -> str | None:
        """A display name; agents without a full name show as "Support", never their login."""
        if comment.author is None:
            return None
        name = comment.author.get_full_name()
        if name:
            return name
        return "Support" if comment.author_kind == AuthorKind.AGENT else comment.author.username
