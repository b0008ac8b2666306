"""Agent tools on one ticket: tags by hand, and merging a duplicate into another ticket."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api.base import ApiView
from core.exceptions import NotFound
from journey.serializers import StaffTicketOutputSerializer, ticket_output
from journey.services.merge import ticket_merge
from journey.services.tags import ticket_tags_change
from routing.tags import MAX_TAGS_AT_ONCE
from tickets.selectors import ticket_find

from .common import staff_ticket, visible_ticket


class TicketTagsApi(ApiView):
    class InputSerializer(serializers.Serializer):
        # the service normalises and explains bad tags; here only the shape is checked
        add = serializers.ListField(
            child=serializers.JSONField(), required=False, default=list, max_length=MAX_TAGS_AT_ONCE
        )
        remove = serializers.ListField(
            child=serializers.JSONField(), required=False, default=list, max_length=MAX_TAGS_AT_ONCE
        )

        class Meta:
            ref_name = "TicketTagsInput"

        def validate(self, attrs):
            if not attrs["add"] and not attrs["remove"]:
                raise serializers.ValidationError("Give tags to `add` and/or `remove`.")
            return attrs

    class OutputSerializer(serializers.Serializer):
        tags = serializers.ListField(child=serializers.CharField())

        class Meta:
            ref_name = "TicketTagsOutput"

    @extend_schema(
        operation_id="tickets_tags",
        request=InputSerializer,
        responses={200: OutputSerializer},
        description="Agents: add and remove tags by hand. Tags are trimmed and lowercased "
        "(inner spaces become dashes); letters and digits joined by - _ . : / + #, at most 50 "
        "characters, 20 at once, 50 on a ticket. A bad tag is a 400 that changes nothing.",
    )
    def post(self, request, ticket_id: str):
        ticket = staff_ticket(request, ticket_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = ticket_tags_change(ticket=ticket, user=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer({"tags": ticket.tags}).data)


class TicketMergeApi(ApiView):
    class InputSerializer(serializers.Serializer):
        into = serializers.CharField(max_length=64)

        class Meta:
            ref_name = "TicketMergeInput"

    @extend_schema(
        operation_id="tickets_merge",
        request=InputSerializer,
        responses={200: StaffTicketOutputSerializer},
        description="Agents: fold this ticket (a duplicate) into `into` (a ticket id, or its "
        "8-character reference) of the same customer; managers may merge across customers. "
        "Its comments and files move to the target, it closes with `merged_into` set, the "
        "customer is told once. Answers with the target.",
    )
    def post(self, request, ticket_id: str):
        source = staff_ticket(request, ticket_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = ticket_find(user=request.user, ref=serializer.validated_data["into"])
        if target is None:
            raise NotFound(
                "The ticket to merge into was not found.", fields={"into": ["Not found."]}
            )
        result = ticket_merge(source=source, target=target, user=request.user)
        return Response(
            ticket_output(
                visible_ticket(request, result.target.pk), user=request.user, request=request
            )
        )
