"""`GET /api/v1/reports/<name>`: managers only; `?format=csv[&table=...]` for a table as CSV."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import json_error
from core.roles import user_role

from .exports import csv_response
from .filters import FilterError, filters_parse
from .selectors import REPORTS, report_run


class IsManager(permissions.BasePermission):
    message = "Reports are for managers."

    def has_permission(self, request, view) -> bool:
        return user_role(request.user) == "manager"


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes | str) else str(data)


def report_or_error(name: str, params):
    """(report, None) or (None, (status, detail, fields))."""
    if name not in REPORTS:
        return None, (404, f"No report named '{name}'.", {})
    try:
        filters = filters_parse(params)
    except FilterError as exc:
        return None, (400, "The request has invalid fields.", exc.fields)
    return report_run(name=name, filters=filters), None


def csv_or_error(report: dict, table: str | None) -> HttpResponse | tuple:
    table = table or next(iter(report["tables"]))
    if table not in report["tables"]:
        return (400, "No such table.", {"table": [f"One of {', '.join(report['tables'])}."]})
    return csv_response(report=report, table=table)


class ReportAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsManager]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="A manager report (overview, agents, routing, customers, recurring, csat, sla)",
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(REPORTS)),
            OpenApiParameter("days", OpenApiTypes.INT, description="Default 30."),
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("queue", OpenApiTypes.STR, description="Queue slug or id."),
            OpenApiParameter("channel", OpenApiTypes.STR),
            OpenApiParameter("agent", OpenApiTypes.INT, description="Agent id."),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
            OpenApiParameter("table", OpenApiTypes.STR, description="The table for CSV."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, name: str):
        report, error = report_or_error(name, request.query_params)
        if error:
            return json_error(*error)
        if request.accepted_renderer.format == "csv":
            result = csv_or_error(report, request.query_params.get("table"))
            return result if isinstance(result, HttpResponse) else json_error(*result)
        return Response(report)

    def handle_exception(self, exc):
        # Errors are JSON even when the client asked for CSV.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
