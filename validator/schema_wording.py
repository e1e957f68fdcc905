"""python-jsonschema's errors -> S001 findings: the field's JSON path, what its schema expected
and what the event holds there, each short enough for one line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .model import Problem

__all__ = ["FOUND_MAX", "clip", "json_path", "worded"]

FOUND_MAX = 60  # characters of a value or a name quoted in a message


def worded(error: Any) -> Problem | None:
    """The S001 of one python-jsonschema error, or None when another rule says it (a missing
    top-level `sequence_number` is Q004, once per stream)."""
    keyword = error.validator
    path = list(error.absolute_path)
    if keyword == "required":
        name = getattr(error, "missing_field", None)
        if name is None:  # pragma: no cover - our `required` always sets it
            name = error.message.split("'")[1]
        if name == "sequence_number" and not path:
            return None  # Q004 reports a missing sequence_number, once per stream
        where = _where(error)
        at = json_path([*path, name])
        return Problem("S001", f"`{at}`: missing required field `{name}`{where}", json_path=at)
    at = json_path(path)
    expected = _expected(keyword, error.validator_value, error.schema)
    found = _found(error.instance)
    return Problem("S001", f"`{at}`: expected {expected}, found {found}", json_path=at)


def _where(error: Any) -> str:
    title = error.schema.get("title") if isinstance(error.schema, dict) else None
    props = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    type_schema = props.get("type") if isinstance(props, dict) else None
    if isinstance(type_schema, dict) and "const" in type_schema:
        return f" (required on `{type_schema['const']}`)"
    if title:
        return f" (required on {title})"
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if description and not props:
        return f" ({description})"
    return ""


_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def _type_name(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return "number"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _bounds(schema: Any) -> str:
    if not isinstance(schema, dict):
        return ""
    if "minimum" in schema:
        return f" >= {schema['minimum']}"
    return ""


def _expected(keyword: str, value: Any, schema: Any) -> str:
    if keyword == "type":
        types = value if isinstance(value, list) else [value]
        return " or ".join(t + _bounds(schema) if t in ("integer", "number") else t for t in types)
    if keyword == "minimum":
        kind = schema.get("type") if isinstance(schema, dict) else None
        kind = " or ".join(kind) if isinstance(kind, list) else (kind or "a number")
        kind = kind.replace(" or null", "").replace("null or ", "")
        return f"{kind} >= {value}"
    if keyword == "maximum":
        return f"a number <= {value}"
    if keyword == "enum":
        return "one of " + ", ".join(_lit(v) for v in value)
    if keyword == "const":
        return _lit(value)
    if keyword in ("minItems", "maxItems", "minLength", "maxLength"):
        return f"{keyword} {value}"
    if keyword == "pattern":
        return f"a string matching `{value}`"
    if keyword == "false":
        return "nothing here"
    return f"{keyword}: {clip(json.dumps(value, ensure_ascii=False))}"


def _lit(value: Any) -> str:
    if value is None:
        return "null"
    return f"`{clip(json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)}`"


def _found(value: Any) -> str:
    kind = _type_name(value)
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return f"{kind} {clip(text)}"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"string {clip(json.dumps(value, ensure_ascii=False))}"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    return f"{kind} {clip(repr(value))}"


def clip(text: str, limit: int = FOUND_MAX) -> str:
    """The text, cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(parts: list[Any]) -> str:
    """Keys and indexes from the event down -> `$.response.output[0].content`."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += "." + part
        else:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return out
