from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.base import ApiView
from core.api.permissions import IsManager

from .models import PushPlatform
from .selectors import agent_list, push_device_list
from .services.devices import push_device_register, push_device_remove


class AgentListApi(ApiView):
    """Managers: every agent with skills, languages, capacity and current open tickets."""

    permission_classes = [IsAuthenticated, IsManager]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        kind = serializers.CharField()
        skills = serializers.SerializerMethodField()
        languages = serializers.ListField(child=serializers.CharField())
        timezone = serializers.CharField()
        max_tickets = serializers.IntegerField()
        open_tickets = serializers.IntegerField()
        is_available = serializers.BooleanField()

        class Meta:
            ref_name = "AgentSummary"

        def get_skills(self, agent) -> list[str]:
            return [skill.slug for skill in agent.skills.all()]

    @extend_schema(operation_id="agents_list", responses={200: OutputSerializer(many=True)})
    def get(self, request):
        return Response(self.OutputSerializer(agent_list(), many=True).data)


class PushDeviceListApi(ApiView):
    """Any signed-in user: the phones registered for their push notifications; POST registers
    one (201 new, 200 already registered)."""

    class InputSerializer(serializers.Serializer):
        platform = serializers.ChoiceField(choices=PushPlatform.choices)
        token = serializers.CharField(max_length=500, trim_whitespace=True)

        class Meta:
            ref_name = "PushDeviceInput"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        platform = serializers.CharField()
        token = serializers.CharField()
        created_at = serializers.DateTimeField()

        class Meta:
            ref_name = "PushDevice"

    @extend_schema(operation_id="devices_list", responses={200: OutputSerializer(many=True)})
    def get(self, request):
        devices = push_device_list(user=request.user)
        return Response(self.OutputSerializer(devices, many=True).data)

    @extend_schema(
        operation_id="devices_register",
        request=InputSerializer,
        responses={201: OutputSerializer, 200: OutputSerializer},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = push_device_register(user=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(device).data, status=201 if created else 200)


class PushDeviceDetailApi(ApiView):
    """DELETE one of your own registered phones (204); anyone else's or a missing one is 404."""

    @extend_schema(operation_id="devices_remove", request=None, responses={204: None})
    def delete(self, request, device_id: int):
        if not push_device_remove(user=request.user, device_id=device_id):
            raise NotFound("No such device.")
        return Response(status=204)
