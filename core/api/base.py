"""The base of every `/api/v1/` view: token or session auth, signed-in users only, throttled
(settings' default throttles), JSON bodies with a size limit."""

from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from .jsonbody import LimitedJSONParser


class ApiView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [LimitedJSONParser]
