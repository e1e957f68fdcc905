"""python-jsonschema over the bundled schemas, deciding every event: the reference the tests
hold the compiled predicates (compiled.py) to.

orvalidate words its S001 findings from python-jsonschema's errors (schema_validator.py), but
asks it only about events a compiled predicate rejects. Here python-jsonschema decides every
event, so a predicate that passes an invalid event (or fails a valid one) shows as a difference
in the findings.
"""

from __future__ import annotations

from typing import Any

from orvalidate import schema_validator, schemas

Reference = schema_validator.Validator


def validator(profile: str, event_type: str) -> Any:
    """python-jsonschema's validator of one event type under one profile: the schema file,
    its `$ref`s resolved through the registry of bundled schemas."""
    return schema_validator.validator(schemas._uri(profile, event_type))


def check_event(payload: dict, profile: str, strict: bool = False) -> list:
    """schemas.check_event with python-jsonschema deciding every event."""
    original = schemas.quick_check
    try:
        schemas.quick_check = lambda *_: lambda _: False  # type: ignore[assignment]
        return schemas.check_event(payload, profile, strict)
    finally:
        schemas.quick_check = original
