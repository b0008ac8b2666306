"""One error shape for the whole API: {"error": code, "detail": ..., "fields": {...}}."""

import re

from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError

_SURROGATES = re.compile("[\ud800-\udfff]")
_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_body(
    status_code: int, detail, fields: dict | None = None, code: str | None = None
) -> dict:
    return {
        "error": code or _CODES.get(status_code, "error"),
        "detail": _printable(detail),
        "fields": _printable(fields or {}),
    }


def _printable(value):
    """Messages may quote the input; lone surrogates in it would make the JSON renderer fail."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_printable(str(key)): _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


def error_response(status_code: int, detail, fields: dict | None = None, code: str | None = None):
    return Response(error_body(status_code, detail, fields, code), status=status_code)


def json_error(status_code: int, detail, fields: dict | None = None, code: str | None = None):
    return JsonResponse(error_body(status_code, detail, fields, code), status=status_code)


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value):
    if isinstance(value, dict):
        return {key: _messages(item) for key, item in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(item, (str, exceptions.ErrorDetail)) for item in value):
            return [str(item) for item in value]
        return [_messages(item) for item in value]
    return [str(value)]


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return error_response(exc.status_code, exc.message, exc.fields, exc.code)
    if isinstance(exc, exceptions.ValidationError):
        return error_response(400, "The request has invalid fields.", _flatten(exc.detail))
    if isinstance(exc, exceptions.ParseError):
        return error_response(400, str(exc.detail) or "Malformed JSON.", code="malformed_json")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = getattr(exc, "detail", None)
    message = str(detail) if detail is not None else "Error."
    body = error_body(response.status_code, message)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        body = error_body(status.HTTP_401_UNAUTHORIZED, message)
        response.status_code = 401
    wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
    if wait is not None:
        body["retry_after"] = int(wait)
    response.data = body
    return response
