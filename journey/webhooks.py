"""`POST /api/webhooks/support/ingest`: integrations (mail gateways, forms, chat) hand in tickets.

Checks, in order: rate limit (429), size (413, declared then real), content type (415), HMAC
signature in constant time (401: of `<timestamp>.<raw body>` with `X-Helpdesk-Timestamp`, refused
outside the replay window; of the raw body alone only while HELPDESK_WEBHOOK_ALLOW_UNTIMED is
on), JSON and fields (400). Idempotent on
`external_id` through the database's unique constraint (see `journey.intake.ticket_ingest`)."""

import hashlib
import hmac
import time

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.jsonbody import declared_length, is_json_media_type, loads, read_limited
from core.api.serializers import SharedFieldsMixin
from core.api.throttling import ScopedRateThrottle
from tickets.models import Channel
from tickets.selectors import ticket_by_external_id

from .serializers import (
    AccountSerializer,
    BodyField,
    CleanCharField,
    ContextSerializer,
    LineField,
    NormalisedEmailField,
    language_from_context,
)
from .services.intake import RESERVED_ID_PREFIXES, ticket_ingest

SIGNATURE_HEADER = "X-Helpdesk-Signature"
TIMESTAMP_HEADER = "X-Helpdesk-Timestamp"


def signature_for(raw: bytes, secret: str, timestamp: str | None = None) -> str:
    signed = raw if timestamp is None else timestamp.encode() + b"." + raw
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_problem(
    raw: bytes, *, header: str | None, timestamp: str | None, secret: str, now: float | None = None
) -> str | None:
    """Why a signed post is refused, or None when its signature holds.

    With a timestamp the HMAC covers `<timestamp>.<raw body>` and the timestamp must be within
    HELPDESK_WEBHOOK_TOLERANCE_SECONDS of now, so a captured post cannot be replayed later; the
    body-only form (no timestamp) is accepted only while HELPDESK_WEBHOOK_ALLOW_UNTIMED is on."""
    if not header or not secret:
        return f"Missing or wrong {SIGNATURE_HEADER} header."
    given = header.strip().lower().encode("utf-8", "replace")
    if timestamp is None:
        if not settings.HELPDESK_WEBHOOK_ALLOW_UNTIMED:
            return f"{TIMESTAMP_HEADER} is required: sign `<timestamp>.<raw body>`."
        expected = signature_for(raw, secret)
    else:
        timestamp = timestamp.strip()
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            return f"{TIMESTAMP_HEADER} must be a Unix time in whole seconds."
        skew = abs((time.time() if now is None else now) - int(timestamp))
        if skew > settings.HELPDESK_WEBHOOK_TOLERANCE_SECONDS:
            return f"{TIMESTAMP_HEADER} is outside the replay window; sign with the current time."
        expected = signature_for(raw, secret, timestamp)
    if not hmac.compare_digest(expected.encode(), given):
        return f"Missing or wrong {SIGNATURE_HEADER} header."
    return None


def signature_check(request, raw: bytes) -> None:
    """Raise InvalidSignature (401) unless the post carries a valid signature (both webhooks)."""
    problem = signature_problem(
        raw,
        header=request.META.get("HTTP_X_HELPDESK_SIGNATURE"),
        timestamp=request.META.get("HTTP_X_HELPDESK_TIMESTAMP"),
        secret=settings.HELPDESK_WEBHOOK_SECRET,
    )
    if problem is not None:
        raise InvalidSignature(
            f"{problem} ({SIGNATURE_HEADER}: sha256=<hex HMAC>, see docs/API.md)"
        )


class InvalidSignature(exceptions.AuthenticationFailed):
    default_detail = f"Missing or wrong {SIGNATURE_HEADER} header (sha256=<hex HMAC of the body>)."


TIMESTAMP_PARAMETER = OpenApiParameter(
    TIMESTAMP_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Unix seconds; then the signature is the HMAC of `<timestamp>.<raw body>` and "
    "is refused more than HELPDESK_WEBHOOK_TOLERANCE_SECONDS (300) from now",
)


class UnsupportedMediaType(exceptions.UnsupportedMediaType):
    def __init__(self, media_type):
        super().__init__(
            media_type, detail=f"Content-Type must be application/json, not {media_type!r}."
        )


class JSONAnswers(BaseContentNegotiation):
    """Integrations get JSON whatever their `Accept` header says (no 406 for a stored ticket),
    and the header is not parsed on every post."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


_CREATED_AT = serializers.DateTimeField()  # stateless: formats as the API's other timestamps


def answer(ticket) -> dict:
    """The webhook's answer (`OutputSerializer`'s shape, built directly: it is on every post)."""
    return {
        "ticket_id": str(ticket.pk),
        "status": ticket.status,
        "created_at": _CREATED_AT.to_representation(ticket.created_at),
    }


class IngestWebhookApi(APIView):
    authentication_classes: list = []
    content_negotiation_class = JSONAnswers
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "webhook"
    parser_classes: list = []

    class InputSerializer(SharedFieldsMixin, serializers.Serializer):
        external_id = CleanCharField(max_length=255)
        channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WEBHOOK)
        customer_email = NormalisedEmailField()
        subject = LineField()
        body = BodyField()
        context = ContextSerializer(required=False, allow_null=True)  # type: ignore[assignment]  # a field named `context`
        account = AccountSerializer(required=False, allow_null=True)

        class Meta:
            ref_name = "WebhookTicketInput"

        def validate_external_id(self, value: str) -> str:
            if value.startswith(RESERVED_ID_PREFIXES):
                raise serializers.ValidationError(
                    f"Must not start with {' or '.join(RESERVED_ID_PREFIXES)} "
                    "(reserved for the app's and the mail's own ids)."
                )
            return value

    class OutputSerializer(serializers.Serializer):  # the schema of `answer()`
        ticket_id = serializers.UUIDField(source="id")
        status = serializers.CharField()
        created_at = serializers.DateTimeField()

        class Meta:
            ref_name = "WebhookTicketOutput"

    def get_authenticate_header(self, request):
        return "HMAC-SHA256"

    @extend_schema(
        operation_id="webhook_ingest",
        request={"application/json": InputSerializer},
        responses={201: OutputSerializer, 200: OutputSerializer},
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex HMAC-SHA256 of `<timestamp>.<raw body>` (or of the raw "
                "body alone, while untimed signatures are allowed) with the webhook secret>",
            ),
            TIMESTAMP_PARAMETER,
        ],
        auth=[],
    )
    def post(self, request):
        raw = read_limited(
            request._request,
            declared=declared_length(request.META),
            limit=settings.HELPDESK_WEBHOOK_MAX_BYTES,
        )
        content_type = request.META.get("CONTENT_TYPE", "")
        if not is_json_media_type(content_type):
            raise UnsupportedMediaType(content_type)
        signature_check(request, raw)
        serializer = self.InputSerializer(data=loads(raw))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not settings.HELPDESK_INGEST_DEFERRED:  # a retry: one indexed read, no insert, no lookup
            existing = ticket_by_external_id(external_id=data["external_id"])
            if existing is not None:
                return Response(answer(existing), status=200)
        # Deferred, a new ticket and a retry cost one statement each (on PostgreSQL): the insert
        # either stores the ticket or reads back the one stored under its external_id.
        context = data.get("context") or {}
        result = ticket_ingest(
            external_id=data["external_id"],
            channel=data["channel"],
            subject=data["subject"],
            body=data["body"],
            customer_email=data["customer_email"],
            context=context,
            language=language_from_context(context),
            account=data.get("account"),
        )
        return Response(answer(result.ticket), status=201 if result.created else 200)
