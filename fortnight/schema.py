"""OpenAPI schema post-processing (drf-spectacular hooks)."""

from __future__ import annotations

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
