from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from helpdesk.api.base import ApiView
from helpdesk.api.permissions import IsManager

from .selectors import agent_list


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
