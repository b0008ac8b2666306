"""Macros: the list an agent may use, adding one (managers), applying one to a ticket."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from agents.models import Agent
from agents.selectors import macro_get, macro_list
from agents.services.macros import MACRO_STATUSES, macro_create
from core.api.base import ApiView
from core.api.permissions import IsStaffRole
from core.exceptions import NotFound
from journey.serializers import (
    CleanCharField,
    SlugRefField,
    StaffTicketOutputSerializer,
    ticket_output,
)
from journey.services.macros import macro_apply
from tickets.models import Priority, Queue
from tickets.selectors import ticket_get

from .common import staff_ticket

LIST_LIMIT = 200


def _queue_field(**kwargs) -> SlugRefField:
    return SlugRefField(slug_field="slug", queryset=Queue.objects.filter(is_active=True), **kwargs)


@extend_schema_field({"type": "string", "nullable": True, "description": "a queue's slug"})
class _QueueSlug(serializers.SlugRelatedField):
    """A read-only queue slug (typed for the schema: it has no model to derive it from)."""


class MacroOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    body = serializers.CharField()
    scope = serializers.ChoiceField(choices=["personal", "team", "global"])
    queue: serializers.SlugRelatedField = _QueueSlug(
        slug_field="slug", read_only=True, allow_null=True
    )
    set_status = serializers.CharField()
    set_priority = serializers.CharField()
    set_queue: serializers.SlugRelatedField = _QueueSlug(
        slug_field="slug", read_only=True, allow_null=True
    )
    add_tags = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField()
    ai_usable = serializers.BooleanField()
    usage_count = serializers.IntegerField()

    class Meta:
        ref_name = "Macro"


class MacroListCreateApi(ApiView):
    """`GET`: the macros the caller may use (global, their queues' team macros, their own);
    `POST`: managers add one."""

    permission_classes = [IsAuthenticated, IsStaffRole]

    class InputSerializer(serializers.Serializer):
        name = CleanCharField(max_length=200)
        body = CleanCharField(max_length=20_000)
        set_status = serializers.ChoiceField(
            choices=MACRO_STATUSES, required=False, allow_blank=True, default=""
        )
        set_priority = serializers.ChoiceField(
            choices=Priority.choices, required=False, allow_blank=True, default=""
        )
        add_tags = serializers.ListField(
            child=CleanCharField(max_length=50), max_length=20, required=False, default=list
        )
        queue = _queue_field(required=False, allow_null=True, default=None)
        set_queue = _queue_field(required=False, allow_null=True, default=None)
        owner = serializers.PrimaryKeyRelatedField(
            queryset=Agent.objects.all(), required=False, allow_null=True, default=None
        )
        match_text = CleanCharField(max_length=20_000, required=False, allow_blank=True, default="")
        language = CleanCharField(max_length=10, required=False, allow_blank=True, default="")
        ai_usable = serializers.BooleanField(required=False, default=True)

        class Meta:
            ref_name = "MacroInput"

    @extend_schema(
        operation_id="macros_list",
        parameters=[OpenApiParameter("search", str, description="Words in the name or text.")],
        responses={200: MacroOutputSerializer(many=True)},
    )
    def get(self, request):
        search = str(request.query_params.get("search", ""))[:200].replace("\x00", "")
        macros = macro_list(user=request.user, search=search)[:LIST_LIMIT]
        return Response(MacroOutputSerializer(macros, many=True).data)

    @extend_schema(
        operation_id="macros_create",
        request=InputSerializer,
        responses={201: MacroOutputSerializer},
        description="Managers: `queue` makes it a team macro of that queue, `owner` (an agent "
        "id) a personal one, neither a global one. The body may hold {{ customer_name }}, "
        "{{ ticket_ref }}, {{ agent_name }} and {{ status_link }}.",
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        macro = macro_create(user=request.user, **serializer.validated_data)
        return Response(MacroOutputSerializer(macro).data, status=201)


class MacroApplyApi(ApiView):
    """Post the macro's text, filled in, as a public reply and run its actions, all or nothing."""

    @extend_schema(
        operation_id="tickets_macro_apply",
        request=None,
        responses={200: StaffTicketOutputSerializer},
        description="Agents: an action the ticket refuses (a status the lifecycle forbids from "
        "here) is a 409 and nothing is changed, the reply included.",
    )
    def post(self, request, ticket_id: str, macro_id: str):
        ticket = staff_ticket(request, ticket_id)
        macro = macro_get(user=request.user, macro_id=macro_id)
        if macro is None:
            raise NotFound("Macro not found.")
        ticket = macro_apply(ticket=ticket, user=request.user, macro=macro)
        # a queue move may take the ticket out of the caller's sight; they still see the result
        shown = ticket_get(user=request.user, ticket_id=ticket.pk) or ticket
        return Response(ticket_output(shown, user=request.user))
