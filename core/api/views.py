from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from .errors import json_error


def healthz(request):
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_error(404, "Not found.")
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_error(500, "Internal error.", code="server_error")
    return HttpResponse("Internal error.", status=500)
