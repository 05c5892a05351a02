"""OpenAPI schema post-processing (drf-spectacular hooks)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

#: Bounds that model integer fields get from the database backend, not from us.
DATABASE_INTEGER_LIMITS = {
    2**15 - 1,
    -(2**15),
    2**31 - 1,
    -(2**31),
    2**63 - 1,
    -(2**63),
}


def drop_database_integer_limits(result: dict, generator, request, public) -> dict:
    """Remove `maximum`/`minimum` values that only restate the database's integer range,
    and the integer `format` (int32/int64) that drf-spectacular derives from them."""

    def walk(node) -> None:
        if isinstance(node, dict):
            for bound in ("maximum", "minimum"):
                if node.get(bound) in DATABASE_INTEGER_LIMITS:
                    del node[bound]
            if node.get("type") == "integer" and node.get("format") in ("int32", "int64"):
                del node["format"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


def document_retry_after(result: dict, generator, request, public) -> dict:
    """Every 429 carries Retry-After (common/ratelimit.py): say so on each."""
    header = {
        "Retry-After": {
            "description": "Seconds to wait before trying again (the end of the client's rate window).",
            "schema": {"type": "integer", "minimum": 1},
        }
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("429") if isinstance(operation, dict) else None
            if answer is not None:
                answer["headers"] = header
    return result


# --- Error answers, documented once ---------------------------------------------------

_DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
_FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"type": "string"}},  # a field's messages
            {"type": "object"},  # a list's or a nested object's errors, by position or field
            {"type": "string"},  # `detail`: a body that is not JSON
        ]
    },
}
_ERROR_DESCRIPTIONS = {
    400: (
        "Invalid input: each field in error (or `non_field_errors`) with its messages, in the client's language; "
        "a body that cannot be parsed gets `detail`."
    ),
    401: "No credentials, or invalid ones: send a token (`Authorization: Token ...`) or a session.",
    403: "Authenticated, but this role may not do this.",
    404: "No such object, or not one this client may see.",
    413: "The request body is larger than the server accepts.",
    429: "Too many attempts from this address: wait as long as `Retry-After` says.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an endpoint: `responses={200: ..., **errors(400, 404)}`.
    A 400 names the fields in error; the others say what went wrong in `detail`."""
    return {
        code: OpenApiResponse(_FIELD_ERRORS if code == 400 else _DETAIL, description=_ERROR_DESCRIPTIONS[code])
        for code in codes
    }
