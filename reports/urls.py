from django.urls import path

from . import views

urlpatterns = [
    path("", views.reports_index, name="reports-index"),
    path("<slug:name>.csv", views.report_page, {"as_csv": True}, name="report-csv"),
    path("<slug:name>/", views.report_page, name="report-page"),
    path("<slug:name>", views.report_page),
]
