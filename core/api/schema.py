"""The OpenAPI schema's error answers (drf-spectacular postprocessing hook).

Every view answers errors in one shape (core/api/errors.py) with the contract's status codes,
but the views' annotations list only their success answers: a client generated from the
schema, or schemathesis checking answers against it, met an "undocumented" 401 on every call.
This hook documents the error answers each operation can give, once, for all of them."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "A stable code, e.g. `invalid`."},
        "detail": {"description": "A message for people (usually a string)."},
        "fields": {"type": "object", "description": "Field name to its messages (400)."},
        "retry_after": {"type": "integer", "description": "Seconds to wait (429)."},
    },
    "required": ["error", "detail", "fields"],
}
_MESSAGES = {
    "400": "Invalid input, field by field.",
    "401": "No valid token, session or signature.",
    "403": "Signed in, but this role may not do it.",
    "404": "Not found, or not yours.",
    "405": "Method not allowed.",
    "409": "A transition the ticket's state does not allow.",
    "413": "Body over the limit.",
    "415": "Body not in a supported media type.",
    "429": "Rate limited (see `Retry-After`).",
}
_WRITES = {"post", "put", "patch"}


def _codes(method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["400", "401", "403", "404", "405", "429"]
    if method in _WRITES:
        codes += ["409", "413", "415"]
    return codes


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in _codes(method, operation):
                operation["responses"].setdefault(
                    code,
                    {
                        "description": _MESSAGES[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result
