"""schemas/ -> the check of each event type under each profile: loading, `$ref` lookup, predicates.

Rules S001 (schema-violation), S002 (unknown-event-type) and S003 (extension-not-prefixed).

The schema folder holds one JSON Schema 2020-12 file per event type (``<type>.json``), shared
definitions under ``defs/``, per-profile variants under ``variants/<profile>/`` and the catalog
``profiles.json`` (which types each profile knows, and which variant file it uses for a type).
Every ``$ref`` resolves to these bundled files by its ``$id`` (``_lookup``) and is inlined
once per event type: nothing is ever fetched from the network.

An event is vouched for by its compiled predicate (compiled.py, shipped in
schema_predicates.py); one that fails is checked again by python-jsonschema
(schema_validator.py, imported then: its import alone costs ~0.1 s), whose errors
schema_wording.py words; schema_strict.py adds the --strict warnings. The tests hold the predicates to python-jsonschema and check every file against the
2020-12 metaschema. The user's schemas (`--schemas`, user_schemas.py) add event types to every
profile or replace a bundled one; python-jsonschema alone checks those.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, NamedTuple
from urllib.parse import urljoin, urlsplit

import orjson

from .model import Problem
from .schema_wording import clip, worded


__all__ = ["known_types", "check_event", "schema_dir", "PROFILES"]

PROFILES = ("openai", "openrouter", "open-responses")


@lru_cache(maxsize=1)
def schema_dir() -> Path:
    """The bundled schemas: inside the package (wheel), else the source tree's top level.
    Found once: each schema file read asked again (a realpath of this module)."""
    here = Path(__file__).resolve().parent
    inside = here / "_schemas"  # pyproject.toml installs schemas/ there
    if (inside / "profiles.json").is_file():
        return inside
    return here.parent / "schemas"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    with open(schema_dir() / "profiles.json", "rb") as f:
        return orjson.loads(f.read())["profiles"]


@lru_cache(maxsize=None)
def known_types(profile: str) -> frozenset[str]:
    """The event types the profile's catalog knows, and the user's schemas add."""
    try:
        return frozenset(_catalog()[profile]["types"]) | frozenset(_USER)
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}") from None


class UserSchema(NamedTuple):
    path: str  # the file, as the user named its folder: for S001 messages
    uri: str  # its `$id`, or its file URI when it has none
    contents: Any


_USER: dict[str, UserSchema] = {}  # event type -> the user's schema of it


def user_schemas() -> dict[str, UserSchema]:
    """The user's schemas in use, by event type."""
    return dict(_USER)


def use_user_schemas(found: dict[str, UserSchema]) -> None:
    """Check these event types by the user's schemas (user_schemas.load) instead of, or on top
    of, the bundled ones, from now on in this process (forked workers inherit them). Every
    answer cached from the catalogs is forgotten."""
    if not found and not _USER:
        return  # nothing to change: a run without user schemas does not import python-jsonschema
    from . import schema_validator
    from .rules import schema as rule

    _USER.clear()
    _USER.update(found)
    schema_validator.use_user((s.uri, s.contents) for s in found.values())
    for cached in (known_types, quick_check, rest_check, _inlined, _inline_ref, _document):
        cached.cache_clear()
    rule.forget_types()


# Open Responses (specification.mdx, "Extending streaming events"): non-standard event types
# "MUST be prefixed with the implementor slug (for example, `acme:trace_event`)". The spec's
# examples are all `<slug>:<name>` (`acme:trace_event`, `openai:web_search_call`,
# `implementor_slug:custom_document_search`), so a prefix is a slug of letters, digits, `_`, `-`
# or `.` followed by a colon and a non-empty name. A dotted name such as `response.debug` is not
# a slug prefix: it imitates the standard namespace, which is exactly what the rule guards.
_SLUG_PREFIXED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*:[^\s:][^\s]*$")


def is_slug_prefixed(event_type: str) -> bool:
    return _SLUG_PREFIXED.match(event_type) is not None


# ---------------------------------------------------------------------------------------------
# Loading: bundled files, `$ref` lookup, validators


_BASE = "https://orvalidate.invalid/schemas/"  # every bundled schema's `$id` is this + its path


@lru_cache(maxsize=None)
def _document(uri: str) -> Any:
    """A bundled or user schema file by its `$id`; nothing else is ever fetched."""
    for user in _USER.values():
        if user.uri == uri:
            return user.contents
    if not uri.startswith(_BASE) or ".." in uri[len(_BASE) :].split("/"):
        raise LookupError(f"`$ref` to {uri!r}, outside the bundled schemas")
    with open(schema_dir() / uri[len(_BASE) :], "rb") as f:
        return orjson.loads(f.read())


def _lookup(ref: str, base: str) -> tuple[Any, str]:
    """(the schema a `$ref` names, the `$id` of its file), resolved against `base`."""
    path, _, pointer = ref.partition("#")
    if base.startswith(_BASE) and not urlsplit(path).scheme:
        uri = (
            posixpath.normpath(posixpath.join(posixpath.dirname(base[len(_BASE) :]), path))
            if path
            else base[len(_BASE) :]
        )
        uri = _BASE + uri
    else:  # a user's schema, or a `$ref` by a full `$id`
        uri = urljoin(base, path) if path else base
    node = _document(uri)
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, uri


def _schema_file(profile: str, event_type: str) -> str:
    spec = _catalog()[profile]
    return spec.get("variants", {}).get(event_type, f"{event_type}.json")


def _uri(profile: str, event_type: str) -> str:
    """The `$id` of the schema that checks this type under this profile."""
    user = _USER.get(event_type)
    return user.uri if user is not None else _BASE + _schema_file(profile, event_type)


@lru_cache(maxsize=None)
def _inlined(profile: str, event_type: str) -> Any:
    """The schema of one event type under one profile, with every `$ref` inlined; None for a
    user's schema that refers to itself (the bundled ones never do), which cannot be."""
    uri = _uri(profile, event_type)
    try:
        return _inline(_document(uri), uri)
    except RecursionError:
        return None


@lru_cache(maxsize=None)
def quick_check(profile: str, event_type: str) -> Callable[[Any], bool]:
    """The compiled predicate of the same schema (compiled.py): it says "valid" in about a
    microsecond; when it says no, python-jsonschema finds the errors to word. They ship as
    generated source (schema_predicates.py) because compiling them cost every start ~20 ms.
    A user's schema has no compiled predicate: python-jsonschema decides."""
    if event_type in _USER:
        from . import schema_validator

        return schema_validator.validator(_USER[event_type].uri).is_valid
    from .schema_predicates import PREDICATES

    return PREDICATES[_schema_file(profile, event_type)]


@lru_cache(maxsize=None)
def rest_check(profile: str, event_type: str) -> Callable[[Any], bool]:
    """For a `*.delta` type: the predicate of its schema less the fields a run pins
    (protocol.RUN_PINNED and its part index). fastpath.HotRun asks it of a next delta with
    the same keys as a delta that passed `quick_check`, whose pinned fields equal that one's
    (the sequence number is one more): those passed already, the rest may differ. It is
    `quick_check`'s predicate when the schema has more than `type`, `required` and
    `properties` at the top, or when the type is not a delta."""
    if event_type in _USER:
        return quick_check(profile, event_type)
    from .schema_predicates import PREDICATES

    name = _schema_file(profile, event_type)
    return PREDICATES.get(name + _REST, PREDICATES[name])


_REST = "#rest"  # the suffix of a rest predicate's name in PREDICATES


def _without(schema: dict, fields: set[str]) -> dict | None:
    """The schema less the properties `fields` (and their `required`), or None when its top
    level holds anything but `type`, `required`, `properties` and annotations."""
    from .compiled import _ANNOTATIONS, _IDENTITY

    if set(schema) - {"type", "required", "properties"} - _ANNOTATIONS - _IDENTITY:
        return None
    out = dict(schema)
    out["required"] = [k for k in schema.get("required", ()) if k not in fields]
    out["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k not in fields}
    return out


def predicates_source() -> str:
    """schema_predicates.py as the bundled schemas give it: every schema file a profile uses,
    and the rest predicate (`rest_check`) of each delta type's."""
    from .compiled import Compiler
    from .protocol import DELTA_EVENTS, RUN_PINNED

    compiler = Compiler(_lookup)
    names = {_schema_file(profile, t) for profile in _catalog() for t in _catalog()[profile]["types"]}
    pinned = {
        _schema_file(profile, t): {*RUN_PINNED, DELTA_EVENTS[t].part_index}
        for profile in _catalog()
        for t in _catalog()[profile]["types"]
        if t in DELTA_EVENTS
    }
    for name in sorted(names):
        schema = _document(_BASE + name)
        compiler.add(name, schema, schema["$id"])
    for name in sorted(pinned):
        schema = _document(_BASE + name)
        rest = _without(schema, pinned[name])  # type: ignore[arg-type]  # a part index of None is no field
        if rest is not None:
            compiler.add(name + _REST, rest, schema["$id"])
    return compiler.source(_PREDICATES_HEADER)


_PREDICATES_HEADER = '''"""Generated by `python -m orvalidate.schemas` from schemas/: do not edit.

The compiled predicate (compiled.py) of every bundled schema file, by its path under schemas/,
and of each delta type's less what a run pins (`#rest`, schemas.rest_check): compiling them at
every start cost a small capture about 20 ms. tests/test_schema_engines.py fails when this file
no longer matches the schemas.
"""
'''


# Annotation keywords that a `$ref` site and its target may both carry (the site's wins); any
# other shared keyword keeps the two apart under `allOf`.
_MERGE_SAFE = frozenset({"description", "title", "$comment"})


def _inline(node: Any, base: str) -> Any:
    """A copy of the schema with every ``$ref`` replaced by its (inlined) target.

    The bundled schemas are not recursive, so this terminates; resolving each ``$ref`` once here
    instead of on every event makes a small event about five times cheaper to check.
    """
    if isinstance(node, list):
        return [_inline(v, base) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" or key in ("$id", "$schema", "$defs"):
            continue
        if key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
            out[key] = {k: _inline(v, base) for k, v in value.items()}
        elif key in ("const", "enum", "required", "examples", "default") or key.startswith("x-"):
            out[key] = value
        else:
            out[key] = _inline(value, base)
    ref = node.get("$ref")
    if ref is None:
        return out
    target = _inline_ref(ref, base)
    if not isinstance(target, dict):
        return {**out, "allOf": [target]} if out else target
    clash = (set(out) & set(target)) - _MERGE_SAFE
    if clash or "allOf" in out:
        out["allOf"] = [*out.get("allOf", []), target]
        return out
    merged = dict(target)
    merged.update(out)
    return merged


@lru_cache(maxsize=None)
def _inline_ref(ref: str, base: str) -> Any:
    """The inlined target of a `$ref`, made once: the Response object alone is named by every
    `response.*` type, and output items by several places in each. The copies share it, which
    is safe because nothing changes an inlined schema once made."""
    contents, where = _lookup(ref, base)
    return _inline(contents, where)


# ---------------------------------------------------------------------------------------------
# The check


def check_event(payload: dict, profile: str, strict: bool = False) -> list[Problem]:
    """S001/S002/S003 problems of one event under one profile ("auto" is resolved by the engine)."""
    event_type = payload["type"]
    if event_type not in known_types(profile):
        problems = [
            Problem(
                "S002",
                f"unknown event type `{clip(event_type)}` for profile `{profile}`; clients must ignore it",
                json_path="$.type",
            )
        ]
        # Under open-responses every type outside its catalog is non-standard (OpenAI-only and
        # OpenRouter-only types included: PROTOCOL section 1 notes they carry no slug prefix).
        if profile == "open-responses" and not is_slug_prefixed(event_type):
            problems.append(
                Problem(
                    "S003",
                    f"non-standard event type `{clip(event_type)}` has no implementor slug prefix "
                    f"(Open Responses extensions are named like `acme:{clip(event_type, 30)}`)",
                    json_path="$.type",
                )
            )
        return problems

    problems = []
    if not quick_check(profile, event_type)(payload):
        from . import schema_validator

        user = _USER.get(event_type)
        for error in schema_validator.errors(_uri(profile, event_type), payload):
            problem = worded(error)
            if problem is not None:
                if user is not None:
                    problem = problem._replace(message=f"{problem.message} (user schema {user.path})")
                problems.append(problem)
    inlined = _inlined(profile, event_type) if strict else None
    if inlined is not None:  # --strict; a recursive user schema is not walked
        from .schema_strict import unknown_fields

        problems.extend(unknown_fields(inlined, payload))
    if len(problems) > 1:
        problems = sorted(set(problems), key=lambda p: (p.json_path or "", p.message))
    return problems


if __name__ == "__main__":
    (Path(__file__).resolve().parent / "schema_predicates.py").write_text(predicates_source(), encoding="utf-8")
