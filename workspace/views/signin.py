"""Sign-in with a limit on failures: Django's login view and form, plus counters per username and
per client (`core.ratelimit`). A wrong password counts against both; once either is spent, the
form refuses every attempt, right or wrong, until the window ends (429 with `Retry-After`)."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest

from core.ratelimit import Limit, client_ident, minutes


class FailureLimitMixin:
    """For an AuthenticationForm: refuse when the username's or the client's failures are spent,
    and count each failure."""

    request: HttpRequest | None
    cleaned_data: dict
    throttled = False
    retry_after = 0

    def _limits(self) -> list[tuple[Limit, str]]:
        window = settings.HELPDESK_LOGIN_WINDOW_SECONDS
        username = (self.cleaned_data.get("username") or "").strip()
        return [
            (Limit("login-user", settings.HELPDESK_LOGIN_FAILURES_PER_USERNAME, window), username),
            (
                Limit("login-client", settings.HELPDESK_LOGIN_FAILURES_PER_CLIENT, window),
                client_ident(self.request),
            ),
        ]

    def clean(self):
        limits = self._limits()
        spent = [limit for limit, key in limits if limit.reached(key)]
        if spent:
            self.throttled = True
            self.retry_after = max(limit.retry_after() for limit in spent)
            raise forms.ValidationError(
                "Too many failed sign-ins for this account or from this address. "
                f"Please try again in {minutes(self.retry_after)}.",
                code="throttled",
            )
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            for limit, key in limits:
                limit.record(key)
            raise


class SignInForm(FailureLimitMixin, AuthenticationForm):
    pass


class AdminSignInForm(FailureLimitMixin, AdminAuthenticationForm):
    pass


class SignInView(LoginView):
    form_class = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response
