"""Mounted at `api/v1/agents/` by helpdesk/urls.py."""

from django.urls import path

from .apis import AgentListApi

urlpatterns = [path("", AgentListApi.as_view(), name="api-agents")]
