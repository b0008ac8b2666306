from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api.base import ApiView
from journey.serializers import BodyField, CommentOutputSerializer
from journey.services.conversation import comment_add
from tickets.selectors import comment_list

from .common import visible_ticket


class TicketCommentsApi(ApiView):
    """`GET` the conversation (customers never see internal notes); `POST` a reply or a note."""

    class InputSerializer(serializers.Serializer):
        body = BodyField()
        internal = serializers.BooleanField(default=False)

        class Meta:
            ref_name = "CommentCreateInput"

    @extend_schema(
        operation_id="tickets_comments_list",
        responses={200: CommentOutputSerializer(many=True)},
        description="Internal notes are included for agents and managers only.",
    )
    def get(self, request, ticket_id: str):
        ticket = visible_ticket(request, ticket_id)
        comments = comment_list(ticket=ticket, user=request.user)
        return Response(CommentOutputSerializer(comments, many=True).data)

    @extend_schema(
        operation_id="tickets_comments_create",
        request=InputSerializer,
        responses={201: CommentOutputSerializer},
        description="Internal notes (`internal: true`) are for agents only (403 for customers). "
        "A customer's reply resumes a `pending_customer` ticket and reopens a `resolved` one; "
        "a closed ticket takes no comments (409).",
    )
    def post(self, request, ticket_id: str):
        ticket = visible_ticket(request, ticket_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = comment_add(
            ticket=ticket,
            user=request.user,
            body=serializer.validated_data["body"],
            internal=serializer.validated_data["internal"],
        )
        return Response(CommentOutputSerializer(comment).data, status=201)
