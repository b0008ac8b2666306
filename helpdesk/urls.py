from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api import views as api_views
from live import forward as live_forward
from workspace.views.signin import AdminSignInForm, SignInView

admin.site.login_form = AdminSignInForm  # the admin's sign-in counts failures too

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's start-up script as a file: no inline script (CSP)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/reports/", include("reports.urls_api")),
    path("api/v1/agents/", include("agents.urls_api")),
    path("api/v1/devices/", include("agents.urls_devices")),
    path("api/", include("journey.urls")),
    path("reports/", include("reports.urls")),
    path("csat/", include("workspace.urls_csat")),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("workspace.urls")),
    path("healthz", api_views.healthz, name="healthz"),
    path("internal/realtime", live_forward.receive, name="realtime-forward"),
]

handler404 = "core.api.views.not_found"
handler500 = "core.api.views.server_error"
