"""Mounted at `api/` by helpdesk/urls.py: the ingestion webhook and the tickets of `/api/v1/`."""

from django.urls import path

from .api.actions import TicketCorrectApi, TicketReassignApi, TicketStatusApi
from .api.comments import TicketCommentsApi
from .api.tickets import TicketDetailApi, TicketListCreateApi
from .webhooks import IngestWebhookApi

urlpatterns = [
    path("webhooks/support/ingest", IngestWebhookApi.as_view(), name="webhook-ingest"),
    path("v1/tickets/", TicketListCreateApi.as_view(), name="api-tickets"),
    path("v1/tickets/<str:ticket_id>/", TicketDetailApi.as_view(), name="api-ticket"),
    path(
        "v1/tickets/<str:ticket_id>/comments/",
        TicketCommentsApi.as_view(),
        name="api-ticket-comments",
    ),
    path("v1/tickets/<str:ticket_id>/status/", TicketStatusApi.as_view(), name="api-ticket-status"),
    path(
        "v1/tickets/<str:ticket_id>/reassign/",
        TicketReassignApi.as_view(),
        name="api-ticket-reassign",
    ),
    path(
        "v1/tickets/<str:ticket_id>/correct/", TicketCorrectApi.as_view(), name="api-ticket-correct"
    ),
]
