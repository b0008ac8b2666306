from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api.base import ApiView
from core.api.jsonbody import LimitedJSONParser
from core.api.uploads import LimitedMultiPartParser
from journey.serializers import BodyField, CommentOutputSerializer
from journey.services.conversation import comment_add
from tickets.selectors import comment_list

from .common import form_fields, uploaded_files, visible_ticket

FILES_NOTE = (
    " As `multipart/form-data` it also takes `files` (one or more; each at most "
    "`HELPDESK_ATTACHMENT_MAX_BYTES`, else 413)."
)


class TicketCommentsApi(ApiView):
    """`GET` the conversation (customers never see internal notes); `POST` a reply or a note,
    with files when posted as a multipart form."""

    parser_classes = [LimitedJSONParser, LimitedMultiPartParser]

    class InputSerializer(serializers.Serializer):
        body = BodyField()
        internal = serializers.BooleanField(default=False)

        class Meta:
            ref_name = "CommentCreateInput"

    class FormInputSerializer(InputSerializer):
        files = serializers.ListField(child=serializers.FileField(), required=False)

        class Meta:
            ref_name = "CommentCreateForm"

    @extend_schema(
        operation_id="tickets_comments_list",
        responses={200: CommentOutputSerializer(many=True)},
        description="Internal notes are included for agents and managers only.",
    )
    def get(self, request, ticket_id: str):
        ticket = visible_ticket(request, ticket_id)
        comments = comment_list(ticket=ticket, user=request.user)
        context = {"request": request}
        return Response(CommentOutputSerializer(comments, many=True, context=context).data)

    @extend_schema(
        operation_id="tickets_comments_create",
        request={"application/json": InputSerializer, "multipart/form-data": FormInputSerializer},
        responses={201: CommentOutputSerializer},
        description="Internal notes (`internal: true`) are for agents only (403 for customers). "
        "A customer's reply resumes a `pending_customer` ticket and reopens a `resolved` one; "
        "a closed ticket takes no comments (409)." + FILES_NOTE,
    )
    def post(self, request, ticket_id: str):
        ticket = visible_ticket(request, ticket_id)
        serializer = self.InputSerializer(data=form_fields(request))
        serializer.is_valid(raise_exception=True)
        comment = comment_add(
            ticket=ticket,
            user=request.user,
            body=serializer.validated_data["body"],
            internal=serializer.validated_data["internal"],
            files=uploaded_files(request),
        )
        context = {"request": request}
        return Response(CommentOutputSerializer(comment, context=context).data, status=201)
