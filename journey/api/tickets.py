import re

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api.base import ApiView
from core.api.jsonbody import LimitedJSONParser
from core.api.pagination import Pagination, page_serializer
from core.api.uploads import LimitedMultiPartParser
from core.exceptions import NotAllowed
from core.roles import user_role
from journey.serializers import (
    BodyField,
    ContextSerializer,
    LineField,
    TicketOutputSerializer,
    language_from_context,
    ticket_list_output,
    ticket_output,
)
from journey.services.intake import APP_ID_PREFIX, ticket_submit
from tickets.models import Channel, Priority, Status
from tickets.selectors import ticket_list

from .comments import FILES_NOTE
from .common import form_fields, uploaded_files, visible_ticket

IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY = re.compile(r"[\x21-\x7e]{1,100}")
_ROLE_NOTE = (
    "Customers get their own tickets only. Agents and managers also get `suggested_reply`, "
    "`reopened_count` and `merged_into` (the StaffTicket shape)."
)


class TicketListCreateApi(ApiView):
    """`GET` lists the tickets the caller may see; `POST` opens a ticket (customers), with files
    when posted as a multipart form."""

    parser_classes = [LimitedJSONParser, LimitedMultiPartParser]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        priority = serializers.ChoiceField(choices=Priority.choices, required=False)
        queue = serializers.SlugField(required=False)
        search = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            help_text="Words to find in the subject, body and public comments (full text, in "
            "the ticket's language); best match first. Quotes, `or` and `-word` work.",
        )

        class Meta:
            ref_name = "TicketFilter"

    class InputSerializer(serializers.Serializer):
        subject = LineField()
        body = BodyField()
        context = ContextSerializer(required=False, allow_null=True)  # type: ignore[assignment]  # a field named `context`

        class Meta:
            ref_name = "TicketCreateInput"

    class FormInputSerializer(serializers.Serializer):
        subject = serializers.CharField()
        body = serializers.CharField()
        context = serializers.CharField(required=False, help_text="The mobile context as JSON.")  # type: ignore[assignment]  # a field named `context`
        files = serializers.ListField(child=serializers.FileField(), required=False)

        class Meta:
            ref_name = "TicketCreateForm"

    @extend_schema(
        operation_id="tickets_list",
        parameters=[
            FilterSerializer,
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description="Tickets per page (max 200)."),
        ],
        responses={200: page_serializer(TicketOutputSerializer, ref_name="TicketPage")},
        description=_ROLE_NOTE,
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tickets = ticket_list(user=request.user, filters=filters.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(tickets, request, view=self)
        return paginator.get_paginated_response(
            ticket_list_output(page, user=request.user, request=request)
        )

    @extend_schema(
        operation_id="tickets_create",
        request={"application/json": InputSerializer, "multipart/form-data": FormInputSerializer},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="Optional, 1-100 visible ASCII characters: a retry with the same "
                "key answers 200 with the ticket the first call made.",
            )
        ],
        responses={201: TicketOutputSerializer, 200: TicketOutputSerializer},
        description="Customers open tickets here. The channel is `in_app` when the context "
        "names a platform, else `api`." + FILES_NOTE,
    )
    def post(self, request):
        if user_role(request.user) != "customer":
            raise NotAllowed("Only customers open tickets through this route.")
        external_id = _idempotent_id(request)
        serializer = self.InputSerializer(data=form_fields(request, json_fields=("context",)))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        context = data.get("context") or {}
        result = ticket_submit(
            subject=data["subject"],
            body=data["body"],
            channel=Channel.IN_APP if context.get("platform") else Channel.API,
            customer=request.user,
            external_id=external_id,
            context=context,
            language=language_from_context(context),
            files=uploaded_files(request),
        )
        ticket = visible_ticket(request, result.ticket.pk)
        status = 201 if result.created else 200
        return Response(ticket_output(ticket, user=request.user, request=request), status=status)


def _idempotent_id(request) -> str | None:
    """The app's retry key, namespaced by user so one customer's key never finds another's
    ticket (external ids are unique across the whole help desk)."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not _KEY.fullmatch(key.strip()):
        raise serializers.ValidationError(
            {IDEMPOTENCY_HEADER: ["Use 1 to 100 visible ASCII characters."]}
        )
    return f"{APP_ID_PREFIX}{request.user.pk}:{key.strip()}"


class TicketDetailApi(ApiView):
    @extend_schema(
        operation_id="tickets_retrieve",
        responses={200: TicketOutputSerializer},
        description=_ROLE_NOTE,
    )
    def get(self, request, ticket_id: str):
        ticket = visible_ticket(request, ticket_id)
        return Response(ticket_output(ticket, user=request.user, request=request))
