"""Reading a JSON request body safely: size limits before and after reading, strict parsing.

Python's json accepts NaN/Infinity (PostgreSQL's JSON does not) and recurses on deep nesting;
both must be a 400, never a 500."""

import json
import math

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def declared_length(meta) -> int | None:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return None


def read_limited(stream, *, declared: int | None, limit: int) -> bytes:
    """The body, refusing it when the declared or the real length exceeds `limit` bytes."""
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"The request body is over {limit} bytes.")
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise PayloadTooLarge(f"The request body is over {limit} bytes.")
    return raw


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    """1e999 parses to infinity, which PostgreSQL's JSON cannot store (a 500 once it reached a
    JSON column): a number out of a float's range is malformed input here."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def loads(raw: bytes):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise exceptions.ParseError("The body is not UTF-8.") from exc
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        raise exceptions.ParseError(f"Malformed JSON: {exc}"[:200]) from exc


def is_json_media_type(content_type: str) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def api_max_bytes() -> int:
    return getattr(settings, "HELPDESK_API_MAX_BYTES", settings.HELPDESK_WEBHOOK_MAX_BYTES)


class LimitedJSONParser(BaseParser):
    """DRF's JSON parser with a size limit (413) and strict JSON (400)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = request.META if request is not None else {}
        raw = read_limited(stream, declared=declared_length(meta), limit=api_max_bytes())
        if not raw.strip():
            return {}
        return loads(raw)
