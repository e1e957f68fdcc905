"""python-jsonschema over the bundled schemas (and the user's): what finds every S001 error.

Draft 2020-12, with two changes orvalidate makes on the wire: a `required` whose errors record
which field is missing, and `integer` meaning a JSON integer (`3.0` is a float where an integer
belongs; the draft's own checker accepts it, as U004 and the SDKs' strict models do not).
Every `$ref` resolves through one `referencing.Registry` of the bundled files (by their `$id`)
and the user's (`--schemas`): nothing is fetched from the network.

schemas.py imports this module on the first event a compiled predicate rejects (and when the
user brings schemas), never on a clean run: importing python-jsonschema costs ~0.1 s, more
than checking a small capture.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, Iterator

import orjson
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .schemas import schema_dir

__all__ = ["Validator", "registry", "with_user", "use_user", "validator", "errors", "is_valid"]


def _required(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            error = ValidationError(f"{name!r} is a required property")
            error.missing_field = name  # type: ignore[attr-defined]
            yield error


_CHECKER = Draft202012Validator.TYPE_CHECKER.redefine("integer", lambda _, value: type(value) is int)
Validator = validators.extend(Draft202012Validator, {"required": _required}, type_checker=_CHECKER)


@lru_cache(maxsize=1)
def _bundled() -> Registry:
    """Every bundled schema file, by its `$id`."""
    resources = []
    for path in sorted(schema_dir().rglob("*.json")):
        if path.name == "profiles.json":
            continue
        contents = orjson.loads(path.read_bytes())
        resources.append((contents["$id"], DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources).crawl()


def with_user(resources: Iterable[tuple[str, Any]]) -> Registry:
    """The bundled schemas and these (uri, contents) of the user's: a user file by its `$id`,
    or its file URI when it has none; a user `$id` equal to a bundled one replaces that file."""
    return (
        _bundled().with_resources((uri, DRAFT202012.create_resource(contents)) for uri, contents in resources).crawl()
    )


_IN_USE: list[Registry] = []  # the registry with the user's schemas, once use_user gave some


def registry() -> Registry:
    return _IN_USE[0] if _IN_USE else _bundled()


def use_user(resources: Iterable[tuple[str, Any]]) -> None:
    """The user's schemas (uri, contents) in the registry, in place of any given before."""
    given = list(resources)
    _IN_USE[:] = [with_user(given)] if given else []
    validator.cache_clear()


@lru_cache(maxsize=None)
def validator(uri: str) -> Any:
    """The validator of the schema with this `$id` (a bundled file or the user's)."""
    known = registry()
    return Validator(known.contents(uri), registry=known)


def errors(uri: str, instance: Any) -> list[ValidationError]:
    """Every error of the instance against the schema with this `$id`, in python-jsonschema's order."""
    return list(validator(uri).iter_errors(instance))


def is_valid(schema: Any, instance: Any) -> bool:
    """Whether the instance passes an inlined (`$ref`-free) subschema: the --strict walk asks
    it of an `if`."""
    return Validator(schema).is_valid(instance)
