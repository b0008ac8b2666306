"""The base of every `/api/v1/` view: token or session auth, signed-in users only, throttled
(settings' default throttles, and anonymous or bad-token calls too), JSON bodies with a size
limit."""

from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from .jsonbody import LimitedJSONParser
from .throttling import AnonRateThrottle


class RefusedCallsThrottled:
    """DRF authenticates and checks permissions before it throttles, so a call with no token or
    a wrong one was answered 401 without ever being counted (140 bad-token calls, 140 × 401).
    Here a refused authentication first spends the client's anonymous budget (`anon` rate), so
    guessing tokens meets 429 like any other anonymous flood. For APIView subclasses."""

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)  # type: ignore[misc]
        except (exceptions.NotAuthenticated, exceptions.AuthenticationFailed):
            throttle = AnonRateThrottle()  # the request's user is anonymous by now
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())  # type: ignore[attr-defined]
            raise


class ApiView(RefusedCallsThrottled, APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [LimitedJSONParser]
