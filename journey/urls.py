"""Mounted at `api/` by helpdesk/urls.py: the ingestion webhook and the tickets of `/api/v1/`.

Each `/api/v1/` route also answers without its trailing slash: Django's slash redirect cannot
carry a POST body (and with DEBUG on it is an error page), so a client that drops the slash
gets the same view, left out of the schema."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.views import APIView

from .api.actions import TicketCorrectApi, TicketReassignApi, TicketStatusApi
from .api.attachments import AttachmentDownloadApi
from .api.bulk import TicketBulkApi
from .api.comments import TicketCommentsApi
from .api.macros import MacroApplyApi, MacroListCreateApi
from .api.tickets import TicketDetailApi, TicketListCreateApi
from .api.tools import TicketMergeApi, TicketTagsApi
from .mail_webhook import InboundMailApi
from .webhooks import IngestWebhookApi

V1 = [
    ("v1/tickets/", TicketListCreateApi, "api-tickets"),
    ("v1/tickets/bulk/", TicketBulkApi, "api-tickets-bulk"),
    ("v1/tickets/<str:ticket_id>/", TicketDetailApi, "api-ticket"),
    ("v1/tickets/<str:ticket_id>/comments/", TicketCommentsApi, "api-ticket-comments"),
    ("v1/tickets/<str:ticket_id>/status/", TicketStatusApi, "api-ticket-status"),
    ("v1/tickets/<str:ticket_id>/reassign/", TicketReassignApi, "api-ticket-reassign"),
    ("v1/tickets/<str:ticket_id>/correct/", TicketCorrectApi, "api-ticket-correct"),
    ("v1/tickets/<str:ticket_id>/tags/", TicketTagsApi, "api-ticket-tags"),
    ("v1/tickets/<str:ticket_id>/merge/", TicketMergeApi, "api-ticket-merge"),
    (
        "v1/tickets/<str:ticket_id>/macros/<str:macro_id>/apply/",
        MacroApplyApi,
        "api-ticket-macro-apply",
    ),
    ("v1/macros/", MacroListCreateApi, "api-macros"),
    ("v1/attachments/<str:attachment_id>/", AttachmentDownloadApi, "api-attachment"),
]


def _unlisted(view):
    methods = {m: extend_schema(exclude=True) for m in ("get", "post") if hasattr(view, m)}
    unlisted: type[APIView] = type(f"{view.__name__}NoSlash", (view,), {})
    return extend_schema_view(**methods)(unlisted).as_view()


urlpatterns = [
    path("webhooks/support/ingest", IngestWebhookApi.as_view(), name="webhook-ingest"),
    path("webhooks/email/inbound", InboundMailApi.as_view(), name="webhook-mail-inbound"),
    *[path(route, view.as_view(), name=name) for route, view, name in V1],
    *[path(route.rstrip("/"), _unlisted(view)) for route, view, _ in V1],
]
