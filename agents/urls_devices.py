"""Mounted at `api/v1/devices/` by helpdesk/urls.py: push-notification devices of the caller."""

from django.urls import path

from .apis import PushDeviceDetailApi, PushDeviceListApi

urlpatterns = [
    path("", PushDeviceListApi.as_view(), name="api-devices"),
    path("<int:device_id>/", PushDeviceDetailApi.as_view(), name="api-device"),
]
