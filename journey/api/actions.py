"""Agent-only operations on one ticket: status, reassign, correct."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agents.models import Agent
from core.api.base import ApiView
from journey.serializers import CleanCharField, SlugRefField, StaffTicketOutputSerializer
from journey.services.changes import ticket_correct, ticket_reassign
from journey.services.status import ticket_change_status
from tickets.models import Category, Priority, Queue, Status

from .common import changed_ticket_answer, staff_ticket


class ChangedTicketOutputSerializer(StaffTicketOutputSerializer):
    """The answer's schema (`changed_ticket_answer` builds it)."""

    still_visible = serializers.BooleanField(
        help_text="False when the change took the ticket out of your queues: later reads are 404."
    )

    class Meta(StaffTicketOutputSerializer.Meta):
        ref_name = "ChangedTicket"
        fields = [*StaffTicketOutputSerializer.Meta.fields, "still_visible"]
        read_only_fields = fields


_RESPONSES = {200: ChangedTicketOutputSerializer}


def _queue_field() -> SlugRefField:
    return SlugRefField(
        slug_field="slug", queryset=Queue.objects.filter(is_active=True), required=False
    )


class TicketStatusApi(ApiView):
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Status.choices)
        reason = CleanCharField(required=False, allow_blank=True, max_length=2000, default="")

        class Meta:
            ref_name = "TicketStatusInput"

    @extend_schema(
        operation_id="tickets_status",
        request=InputSerializer,
        responses=_RESPONSES,
        description="Agents: move the ticket through the lifecycle; an illegal step is a 409 "
        "and changes nothing.",
    )
    def post(self, request, ticket_id: str):
        ticket = staff_ticket(request, ticket_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_change_status(ticket=ticket, user=request.user, **serializer.validated_data)
        return Response(changed_ticket_answer(request, ticket))


class TicketReassignApi(ApiView):
    class InputSerializer(serializers.Serializer):
        agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False)
        queue = _queue_field()
        reason = CleanCharField(max_length=2000)

        class Meta:
            ref_name = "TicketReassignInput"

        def validate(self, attrs):
            if attrs.get("agent") is None and attrs.get("queue") is None:
                raise serializers.ValidationError("Give an `agent` id, a `queue` slug, or both.")
            return attrs

    @extend_schema(
        operation_id="tickets_reassign",
        request=InputSerializer,
        responses=_RESPONSES,
        description="Agents: move the ticket to another agent (id from /api/v1/agents/) and/or "
        "queue (slug), with a reason; recorded as events that routing learns from. An agent may "
        "move a ticket out of their queues: 200 with `still_visible: false`.",
    )
    def post(self, request, ticket_id: str):
        ticket = staff_ticket(request, ticket_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_reassign(ticket=ticket, user=request.user, **serializer.validated_data)
        return Response(changed_ticket_answer(request, ticket))


class TicketCorrectApi(ApiView):
    class InputSerializer(serializers.Serializer):
        category = SlugRefField(slug_field="slug", queryset=Category.objects.all(), required=False)
        priority = serializers.ChoiceField(choices=Priority.choices, required=False)
        queue = _queue_field()
        reason = CleanCharField(required=False, allow_blank=True, max_length=2000, default="")

        class Meta:
            ref_name = "TicketCorrectInput"

        def validate(self, attrs):
            if not any(attrs.get(key) is not None for key in ("category", "priority", "queue")):
                raise serializers.ValidationError("Give `category`, `priority` or `queue`.")
            return attrs

    @extend_schema(
        operation_id="tickets_correct",
        request=InputSerializer,
        responses=_RESPONSES,
        description="Agents: correct what routing decided (category, priority, queue slugs); "
        "each change is a `corrected` event the classifier learns from. An agent may move a "
        "ticket out of their queues: 200 with `still_visible: false`.",
    )
    def post(self, request, ticket_id: str):
        ticket = staff_ticket(request, ticket_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_correct(ticket=ticket, user=request.user, **serializer.validated_data)
        return Response(changed_ticket_answer(request, ticket))
