"""--strict: every field the schemas do not declare is an S001 warning.

Providers add fields, and a valid event may carry any; --strict lists them. This walks the
inlined schema of the event's type (schemas._inlined) beside the event: in an object whose
applicable subschemas declare `properties` (and leave no `additionalProperties` or
`patternProperties` open), a name none declares is reported; an `if` is decided by
python-jsonschema, and a union of output items (`x-orvalidate-union`) names a type it does not
list once, without walking further.
"""

from __future__ import annotations

from typing import Any, Iterator

from .model import Problem
from .schema_validator import is_valid
from .schema_wording import clip, json_path

__all__ = ["unknown_fields"]


def unknown_fields(schema: Any, payload: dict) -> list[Problem]:
    """An S001 warning for each field of the event that the (inlined) schema does not declare."""
    out: list[Problem] = []
    _walk(schema, payload, [], out)
    return out


def _applicable(schema: Any, instance: Any) -> Iterator[Any]:
    """The (inlined) subschemas that apply to the instance: matching branches taken."""
    if not isinstance(schema, dict):
        return
    yield schema
    for sub in schema.get("allOf", ()):
        yield from _applicable(sub, instance)
    if "if" in schema:
        branch = "then" if is_valid(schema["if"], instance) else "else"
        if branch in schema:
            yield from _applicable(schema[branch], instance)


def _walk(schema: Any, instance: Any, path: list[Any], out: list[Problem]) -> None:
    pairs = list(_applicable(schema, instance))
    if isinstance(instance, dict):
        declared: dict[str, list[Any]] = {}
        checks = False
        open_map = False
        for sub in pairs:
            union = sub.get("x-orvalidate-union")
            if union is not None:
                kind = instance.get("type")
                if isinstance(kind, str) and kind not in sub.get("x-orvalidate-known-types", ()):
                    where = json_path(path + ["type"])
                    out.append(
                        Problem(
                            "S001",
                            f"`{where}`: unknown {union} type `{clip(kind)}` (accepted, but not in the schema)",
                            json_path=where,
                            severity="warning",
                        )
                    )
                    return
            props = sub.get("properties")
            if isinstance(props, dict):
                checks = True
                for name, sub_schema in props.items():
                    declared.setdefault(name, []).append(sub_schema)
            if "additionalProperties" in sub or "patternProperties" in sub:
                open_map = True
        if not checks or open_map:
            return
        for name, value in instance.items():
            if name not in declared:
                where = json_path(path + [name])
                out.append(
                    Problem(
                        "S001",
                        f"`{where}`: unknown field `{clip(name)}` (not in the schema)",
                        json_path=where,
                        severity="warning",
                    )
                )
                continue
            if isinstance(value, (dict, list)):
                for sub_schema in declared[name]:
                    _walk(sub_schema, value, path + [name], out)
                    break  # the first declaring schema is enough; the others repeat it
    elif isinstance(instance, list):
        for sub in pairs:
            items = sub.get("items")
            if isinstance(items, dict):
                for i, value in enumerate(instance):
                    if isinstance(value, (dict, list)):
                        _walk(items, value, path + [i], out)
                return
