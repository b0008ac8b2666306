"""Bulk actions on tickets: one action, many tickets, a result per ticket."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.base import ApiView
from core.api.permissions import IsStaffRole
from journey.services.bulk import BULK_ACTIONS, BULK_LIMIT, tickets_bulk_apply


class BulkResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    ok = serializers.BooleanField()
    error = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "TicketBulkResult"


class BulkOutputSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True)

    class Meta:
        ref_name = "TicketBulkOutput"


class TicketBulkApi(ApiView):
    permission_classes = [IsAuthenticated, IsStaffRole]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.CharField(max_length=64), min_length=1, max_length=BULK_LIMIT
        )
        action = serializers.ChoiceField(choices=BULK_ACTIONS)
        value = serializers.JSONField()

        class Meta:
            ref_name = "TicketBulkInput"

    @extend_schema(
        operation_id="tickets_bulk",
        request=InputSerializer,
        responses={200: BulkOutputSerializer},
        description=f"Agents: `status` (a status), `assign` (an agent id), `queue` (a slug), "
        f'`tags` (a list to add, or {{"add": [...], "remove": [...]}}) or `macro` (a macro id) '
        f"on up to {BULK_LIMIT} tickets. Each ticket goes through the same rules as alone, in "
        "its own transaction: one that refuses is `ok: false` with the reason and unchanged; "
        'one you may not see is `ok: false`, "not found".',
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = tickets_bulk_apply(user=request.user, **serializer.validated_data)
        return Response(BulkOutputSerializer({"results": results}).data)
