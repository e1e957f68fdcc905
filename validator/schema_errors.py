"""Why an event fails its schema: the errors python-jsonschema would give, found without it.

Only events the compiled predicate (compiled.py) rejects come here, so speed matters less than
exactness: this walks the inlined schema (`schemas._inlined`, the one python-jsonschema was
given) keyword by keyword as python-jsonschema 2020-12 does, with its custom `required` and
`integer` (schemas.py), and gives the same errors: keyword, its value, the schema holding it,
the instance and its path. schemas.py words them. It covers the keywords compiled.py covers
and refuses any other. An `allOf` of `if <field> is <value> then` (the output item union,
compiled._discriminated) walks only the `then` the field names: the other `if`s fail, so
python-jsonschema finds nothing there either. Importing python-jsonschema cost the first
S001 of a process ~0.1 s and wording with it was a tenth of a run on the real captures;
tests/schema_reference.py keeps it as the reference, and the tests hold the two to the same
findings on every fixture and real event, under every profile, with and without --strict,
and on random mutations.
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

from .compiled import _ANNOTATIONS, _IDENTITY, UnsupportedSchema, _discriminated, json_equal

# What no error comes from: annotations, where a schema lives, `then`/`else` (read with `if`)
_SILENT = _ANNOTATIONS | _IDENTITY | {"then", "else"}


class SchemaError(NamedTuple):
    """One failing keyword, with the attributes of python-jsonschema's ValidationError that
    schemas.py reads."""

    validator: str | None  # the keyword; None for a `false` schema
    validator_value: Any
    schema: Any  # the (sub)schema holding the keyword
    instance: Any
    absolute_path: tuple  # keys and indexes from the event down to the instance
    missing_field: str | None = None  # `required`: the missing name


def errors(schema: Any, instance: Any) -> list[SchemaError]:
    """Every error python-jsonschema's `iter_errors` would yield, in its order."""
    out: list[SchemaError] = []
    _errors(schema, instance, (), out)
    return out


def is_valid(schema: Any, instance: Any) -> bool:
    return not errors(schema, instance)


def _union(subschemas: list) -> tuple[str, dict[str, Any]] | None:
    """compiled._discriminated as (key, {value: then}), found once per list: an output item's
    19 `if`s would each be walked."""
    known = _UNIONS.get(id(subschemas))
    if known is None or known[0] is not subschemas:
        if len(_UNIONS) >= 4096:  # schemas made on the fly (tests) must not grow it without end
            _UNIONS.clear()
        found = _discriminated(subschemas)
        known = _UNIONS[id(subschemas)] = (subschemas, None if found is None else (found[0], dict(found[1])))
    return known[1]


_UNIONS: dict[int, tuple[list, Any]] = {}  # id -> (the list, kept so the id is not reused; its answer)


def _is_type(instance: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "string":
        return isinstance(instance, str)
    if kind == "integer":
        return type(instance) is int  # schemas.py: `3.0` is not an integer
    if kind == "number":
        return isinstance(instance, numbers.Number) and not isinstance(instance, bool)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    raise UnsupportedSchema(f"unknown type {kind!r}")


def _errors(schema: Any, instance: Any, path: tuple, out: list[SchemaError], stepped: bool = False) -> None:
    """`stepped`: the last element of `path` was added by this step (a property or an item)."""
    if schema is True:
        return
    if schema is False:
        # python-jsonschema leaves the step into a `false` schema out of the error's path
        out.append(SchemaError(None, None, False, instance, path[:-1] if stepped else path))
        return
    for keyword, value in schema.items():
        if keyword in _SILENT:  # first: nearly every subschema has a description or title
            continue
        if keyword == "type":
            if not (_is_type(instance, value) if type(value) is str else any(_is_type(instance, kind) for kind in value)):
                out.append(SchemaError("type", value, schema, instance, path))
        elif keyword == "const":
            if not json_equal(instance, value):
                out.append(SchemaError("const", value, schema, instance, path))
        elif keyword == "enum":
            if all(not json_equal(each, instance) for each in value):
                out.append(SchemaError("enum", value, schema, instance, path))
        elif keyword == "minimum":
            if _is_type(instance, "number") and instance < value:
                out.append(SchemaError("minimum", value, schema, instance, path))
        elif keyword == "required":
            if isinstance(instance, dict):
                out.extend(SchemaError("required", value, schema, instance, path, name) for name in value if name not in instance)
        elif keyword == "properties":
            if isinstance(instance, dict):
                for name, sub in value.items():
                    if name in instance:
                        _errors(sub, instance[name], (*path, name), out, True)
        elif keyword == "items":
            if isinstance(instance, list) and instance:
                if value is False:
                    out.append(SchemaError("items", value, schema, instance, path))
                else:
                    for index, element in enumerate(instance):
                        _errors(value, element, (*path, index), out, True)
        elif keyword == "allOf":
            union = _union(value)
            if union is None:
                for sub in value:
                    _errors(sub, instance, path, out)
            elif isinstance(instance, dict):  # only the `then` whose value the field has can fail
                key, thens = union
                tag = instance.get(key)
                then = thens.get(tag) if isinstance(tag, str) else None
                if then is not None:
                    _errors(then, instance, path, out)
        elif keyword == "if":
            if is_valid(value, instance):
                if "then" in schema:
                    _errors(schema["then"], instance, path, out)
            elif "else" in schema:
                _errors(schema["else"], instance, path, out)
        elif not keyword.startswith("x-"):
            raise UnsupportedSchema(f"keyword {keyword!r} is not supported by the schema error finder")
