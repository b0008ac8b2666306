"""WebSocket routes (kept apart from the `routing` app's name)."""

from django.urls import path

from workspace.consumers import TicketConsumer, WorkspaceConsumer

websocket_urlpatterns: list = [
    path("ws/tickets/<str:ticket_id>/", TicketConsumer.as_asgi()),
    path("ws/workspace/", WorkspaceConsumer.as_asgi()),
]
