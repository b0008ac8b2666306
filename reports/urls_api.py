from django.urls import path

from .api import ReportAPIView

urlpatterns = [
    path("<slug:name>", ReportAPIView.as_view(), name="api-report"),
]
