"""`POST /api/webhooks/email/inbound`: a mail server's pipe or an MTA hook posts the raw message
(`Content-Type: message/rfc822`), an inbound-mail provider its multipart form (Mailgun's or
SendGrid's fields); both signed like the ingestion webhook (`X-Helpdesk-Signature`, with
`X-Helpdesk-Timestamp`).

201 `{"ticket_id", "comment_id"}` (`comment_id` null for a new ticket, set for a reply threaded
onto one); the same Message-ID again: 200 with the same body; an auto-reply, bounce or loop:
202 `{"ignored": "<reason>"}`. Checks: rate limit, size (413), content type (415), signature
(401), a form that describes no mail (400)."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.jsonbody import declared_length, read_limited
from core.api.throttling import ScopedRateThrottle

from .mailparse import NotAMail, mail_parse, provider_form_parse
from .services.mail import mail_receive
from .webhooks import SIGNATURE_HEADER, TIMESTAMP_PARAMETER, JSONAnswers, signature_check

RAW_MAIL = "message/rfc822"
FORM = "multipart/form-data"


class InboundMailApi(APIView):
    authentication_classes: list = []
    content_negotiation_class = JSONAnswers
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "webhook"
    parser_classes: list = []

    def get_authenticate_header(self, request):
        return "HMAC-SHA256"

    @extend_schema(
        operation_id="webhook_mail_inbound",
        request={RAW_MAIL: OpenApiTypes.BINARY},
        responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<hex HMAC-SHA256 of `<timestamp>.<raw message>` (or of the "
                "raw message alone, while untimed signatures are allowed) with the webhook secret>",
            ),
            TIMESTAMP_PARAMETER,
        ],
        auth=[],
    )
    def post(self, request):
        raw = read_limited(
            request._request,
            declared=declared_length(request.META),
            limit=settings.HELPDESK_MAIL_MAX_BYTES,
        )
        full_type = request.META.get("CONTENT_TYPE", "")
        content_type = full_type.split(";")[0].strip().lower()
        if content_type not in (RAW_MAIL, FORM):
            raise exceptions.UnsupportedMediaType(
                content_type,
                detail=f"Post the raw message as {RAW_MAIL}, or a provider's {FORM}; "
                f"not {content_type!r}.",
            )
        signature_check(request, raw)
        if content_type == FORM:
            try:
                mail = provider_form_parse(raw, full_type)
            except NotAMail as exc:
                raise exceptions.ValidationError({"form": [str(exc)]}) from exc
        else:
            mail = mail_parse(raw)
        result = mail_receive(mail=mail)
        if result.ignored:
            return Response({"ignored": result.ignored}, status=202)
        assert result.ticket is not None
        body = {
            "ticket_id": str(result.ticket.pk),
            "comment_id": result.comment.pk if result.comment else None,
        }
        return Response(body, status=201 if result.created else 200)
