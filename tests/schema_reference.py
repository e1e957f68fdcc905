"""python-jsonschema over the bundled schemas: the reference engine the tests hold the compiled
predicates (compiled.py) and the error finder (schema_errors.py) to.

Draft 2020-12, with two changes orvalidate makes on the wire: a `required` whose errors record
which field is missing, and `integer` meaning a JSON integer (`3.0` is a float where an integer
belongs; the draft's own checker accepts it, as U004 and the SDKs' strict models do not).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from orvalidate import schemas


def _required(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            error = ValidationError(f"{name!r} is a required property")
            error.missing_field = name  # type: ignore[attr-defined]
            yield error


_CHECKER = Draft202012Validator.TYPE_CHECKER.redefine("integer", lambda _, value: type(value) is int)
Reference = validators.extend(Draft202012Validator, {"required": _required}, type_checker=_CHECKER)


@lru_cache(maxsize=None)
def validator(profile: str, event_type: str) -> Any:
    """The reference validator of one event type under one profile."""
    return Reference(schemas._inlined(profile, event_type))


def check_event(payload: dict, profile: str, strict: bool = False) -> list:
    """schemas.check_event with python-jsonschema finding every error and deciding validity."""
    original = schemas.errors, schemas.is_valid, schemas.quick_check
    try:
        schemas.errors = lambda schema, instance: list(Reference(schema).iter_errors(instance))
        schemas.is_valid = lambda schema, instance: Reference(schema).is_valid(instance)
        schemas.quick_check = lambda *_: lambda _: False  # python-jsonschema decides every event
        return schemas.check_event(payload, profile, strict)
    finally:
        schemas.errors, schemas.is_valid, schemas.quick_check = original
