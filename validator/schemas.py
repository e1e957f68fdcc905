"""schemas/ -> one JSON Schema validator per (profile, event type), built on first use.

Rules S001 (schema-violation), S002 (unknown-event-type) and S003 (extension-not-prefixed).

The schema folder holds one JSON Schema 2020-12 file per event type (``<type>.json``), shared
definitions under ``defs/``, per-profile variants under ``variants/<profile>/`` and the catalog
``profiles.json`` (which types each profile knows, and which variant file it uses for a type).
Every ``$ref`` resolves from these bundled files through a ``referencing.Registry``: nothing is
ever fetched from the network.

``jsonschema`` is imported lazily (it costs ~0.1 s), and no metaschema check runs here: the
tests check every file against the 2020-12 metaschema.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, NamedTuple

__all__ = ["SchemaProblem", "known_types", "check_event", "schema_dir", "PROFILES"]

PROFILES = ("openai", "openrouter", "open-responses")

_FOUND_MAX = 60


class SchemaProblem(NamedTuple):
    code: str  # "S001", "S002" or "S003"
    message: str  # names the field, what was expected, what was found
    json_path: str | None  # "$.response.usage.total_tokens"; "$" for the whole event
    severity: str | None  # None = the rule's default; "warning" for --strict unknown fields


def schema_dir() -> Path:
    """The bundled schemas: inside the package (wheel), else the source tree's top level."""
    here = Path(__file__).resolve().parent
    inside = here / "_schemas"  # pyproject.toml installs schemas/ there
    if (inside / "profiles.json").is_file():
        return inside
    return here.parent / "schemas"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    with open(schema_dir() / "profiles.json", encoding="utf-8") as f:
        return json.load(f)["profiles"]


@lru_cache(maxsize=None)
def known_types(profile: str) -> frozenset[str]:
    """The event types the profile's catalog knows."""
    try:
        return frozenset(_catalog()[profile]["types"])
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}") from None


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
# Loading: registry and validators


@lru_cache(maxsize=1)
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = []
    for path in sorted(schema_dir().rglob("*.json")):
        if path.name == "profiles.json":
            continue
        with open(path, encoding="utf-8") as f:
            contents = json.load(f)
        resources.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT202012)))

    def no_network(uri: str) -> Any:
        from referencing.exceptions import NoSuchResource

        raise NoSuchResource(ref=uri)

    return Registry(retrieve=no_network).with_resources(resources).crawl()


def _schema_file(profile: str, event_type: str) -> str:
    spec = _catalog()[profile]
    return spec.get("variants", {}).get(event_type, f"{event_type}.json")


@lru_cache(maxsize=None)
def _inlined(profile: str, event_type: str) -> dict:
    """The schema of one event type under one profile, with every `$ref` inlined."""
    with open(schema_dir() / _schema_file(profile, event_type), encoding="utf-8") as f:
        schema = json.load(f)
    return _inline(schema, _registry().resolver(base_uri=schema["$id"]))


@lru_cache(maxsize=None)
def _validator(profile: str, event_type: str) -> Any:
    """The validator for one event type under one profile, built on first use. It is the one
    that decides and words every S001."""
    return _validator_class()(_inlined(profile, event_type), registry=_registry())


@lru_cache(maxsize=None)
def _rs_validator(profile: str, event_type: str) -> Any:
    """jsonschema-rs over the same schema: about a hundred times faster on the large lifecycle
    events, used only to say "valid" quickly. Any doubt goes to `_validator`."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(_inlined(profile, event_type))


def _has_integral_float(value: Any) -> bool:
    """A float such as 3.0 anywhere: JSON Schema calls it an integer, our schemas do not, so
    jsonschema-rs cannot vouch for such a payload."""
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is float and node.is_integer():
            return True
        if kind is dict:
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
    return False


@lru_cache(maxsize=1)
def _validator_class() -> Any:
    """Draft 2020-12, with a `required` whose errors record which field is missing."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def required(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for name in required:
            if name not in instance:
                err = ValidationError(f"{name!r} is a required property")
                err.missing_field = name  # type: ignore[attr-defined]
                yield err

    # The wire's integers are JSON integers: `3.0` is a float where an integer belongs (the
    # draft's own checker accepts it, as U004 and the SDKs' strict models do not).
    checker = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: type(value) is int
    )
    return validators.extend(Draft202012Validator, {"required": required}, type_checker=checker)


# Annotation keywords that a `$ref` site and its target may both carry (the site's wins); any
# other shared keyword keeps the two apart under `allOf`.
_MERGE_SAFE = frozenset({"description", "title", "$comment"})


def _inline(node: Any, resolver: Any) -> Any:
    """A copy of the schema with every ``$ref`` replaced by its (inlined) target.

    The bundled schemas are not recursive, so this terminates; resolving each ``$ref`` once here
    instead of on every event makes a small event about five times cheaper to check.
    """
    if isinstance(node, list):
        return [_inline(v, resolver) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" or key in ("$id", "$schema", "$defs"):
            continue
        if key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
            out[key] = {k: _inline(v, resolver) for k, v in value.items()}
        elif key in ("const", "enum", "required", "examples", "default") or key.startswith("x-"):
            out[key] = value
        else:
            out[key] = _inline(value, resolver)
    ref = node.get("$ref")
    if ref is None:
        return out
    resolved = resolver.lookup(ref)
    target = _inline(resolved.contents, resolved.resolver)
    if not isinstance(target, dict):
        return {**out, "allOf": [target]} if out else target
    clash = (set(out) & set(target)) - _MERGE_SAFE
    if clash or "allOf" in out:
        out.setdefault("allOf", [])
        out["allOf"] = [*out["allOf"], target]
        return out
    merged = dict(target)
    merged.update(out)
    return merged




# ---------------------------------------------------------------------------------------------
# The check


def check_event(payload: dict, profile: str, strict: bool = False) -> list[SchemaProblem]:
    """S001/S002/S003 problems of one event under one profile ("auto" is resolved by the engine)."""
    event_type = payload["type"]
    if event_type not in known_types(profile):
        problems = [
            SchemaProblem(
                "S002",
                f"unknown event type `{_clip(event_type)}` for profile `{profile}`; clients must ignore it",
                "$.type",
                None,
            )
        ]
        # Under open-responses every type outside its catalog is non-standard (OpenAI-only and
        # OpenRouter-only types included: PROTOCOL section 1 notes they carry no slug prefix).
        if profile == "open-responses" and not is_slug_prefixed(event_type):
            problems.append(
                SchemaProblem(
                    "S003",
                    f"non-standard event type `{_clip(event_type)}` has no implementor slug prefix "
                    f"(Open Responses extensions are named like `acme:{_clip(event_type, 30)}`)",
                    "$.type",
                    None,
                )
            )
        return problems

    if not strict:
        quick = _rs_validator(profile, event_type)
        try:
            if not _has_integral_float(payload) and quick.is_valid(payload):
                return []
        except ValueError:  # jsonschema-rs refuses what UTF-8 cannot hold (lone surrogates)
            pass
    validator = _validator(profile, event_type)
    problems = []
    for error in validator.iter_errors(payload):
        problem = _problem(error)
        if problem is not None:
            problems.append(problem)
    if strict:
        problems.extend(_unknown_fields(validator, payload))
    if len(problems) > 1:
        problems = sorted(set(problems), key=lambda p: (p.json_path or "", p.message))
    return problems


def _problem(error: Any) -> SchemaProblem | None:
    keyword = error.validator
    path = list(error.absolute_path)
    if keyword == "required":
        name = getattr(error, "missing_field", None)
        if name is None:  # pragma: no cover - our `required` always sets it
            name = error.message.split("'")[1]
        if name == "sequence_number" and not path:
            return None  # Q004 reports a missing sequence_number, once per stream
        where = _where(error)
        return SchemaProblem(
            "S001", f"`{_json_path(path + [name])}`: missing required field `{name}`{where}", _json_path(path + [name]), None
        )
    json_path = _json_path(path)
    expected = _expected(keyword, error.validator_value, error.schema)
    found = _found(error.instance)
    return SchemaProblem("S001", f"`{json_path}`: expected {expected}, found {found}", json_path, None)


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
    return f"{keyword}: {_clip(json.dumps(value, ensure_ascii=False))}"


def _lit(value: Any) -> str:
    if value is None:
        return "null"
    return f"`{_clip(json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)}`"


def _found(value: Any) -> str:
    kind = _type_name(value)
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return f"{kind} {_clip(text)}"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"string {_clip(json.dumps(value, ensure_ascii=False))}"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    return f"{kind} {_clip(repr(value))}"


def _clip(text: str, limit: int = _FOUND_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _json_path(parts: list[Any]) -> str:
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += "." + part
        else:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return out


# ---------------------------------------------------------------------------------------------
# --strict: every field the schema does not declare is an S001 warning


def _unknown_fields(validator: Any, payload: dict) -> list[SchemaProblem]:
    out: list[SchemaProblem] = []
    resolver = validator._resolver  # the registry-backed resolver, based at the event schema
    _walk(validator, resolver, validator.schema, payload, [], out)
    return out


def _applicable(validator: Any, resolver: Any, schema: Any, instance: Any) -> Iterator[tuple[Any, Any]]:
    """(schema, resolver) pairs that apply to the instance: refs followed, matching branches taken."""
    if not isinstance(schema, dict):
        return
    yield schema, resolver
    ref = schema.get("$ref")
    if ref is not None:
        resolved = resolver.lookup(ref)
        yield from _applicable(validator, resolved.resolver, resolved.contents, instance)
    for sub in schema.get("allOf", ()):
        yield from _applicable(validator, resolver, sub, instance)
    for keyword in ("anyOf", "oneOf"):
        for sub in schema.get(keyword, ()):
            if _is_valid(validator, resolver, sub, instance):
                yield from _applicable(validator, resolver, sub, instance)
    if "if" in schema:
        branch = "then" if _is_valid(validator, resolver, schema["if"], instance) else "else"
        if branch in schema:
            yield from _applicable(validator, resolver, schema[branch], instance)


def _is_valid(validator: Any, resolver: Any, schema: Any, instance: Any) -> bool:
    return validator.evolve(schema=schema, _resolver=resolver).is_valid(instance)


def _walk(validator: Any, resolver: Any, schema: Any, instance: Any, path: list[Any], out: list[SchemaProblem]) -> None:
    pairs = list(_applicable(validator, resolver, schema, instance))
    if isinstance(instance, dict):
        declared: dict[str, list[tuple[Any, Any]]] = {}
        checks = False
        open_map = False
        for sub, res in pairs:
            union = sub.get("x-orvalidate-union")
            if union is not None:
                kind = instance.get("type")
                if isinstance(kind, str) and kind not in sub.get("x-orvalidate-known-types", ()):
                    where = _json_path(path + ["type"])
                    out.append(
                        SchemaProblem(
                            "S001",
                            f"`{where}`: unknown {union} type `{_clip(kind)}` (accepted, but not in the schema)",
                            where,
                            "warning",
                        )
                    )
                    return
            props = sub.get("properties")
            if isinstance(props, dict):
                checks = True
                for name, sub_schema in props.items():
                    declared.setdefault(name, []).append((sub_schema, res))
            if "additionalProperties" in sub or "patternProperties" in sub:
                open_map = True
        if not checks or open_map:
            return
        for name, value in instance.items():
            if name not in declared:
                where = _json_path(path + [name])
                out.append(
                    SchemaProblem("S001", f"`{where}`: unknown field `{_clip(name)}` (not in the schema)", where, "warning")
                )
                continue
            if isinstance(value, (dict, list)):
                for sub_schema, res in declared[name]:
                    _walk(validator, res, sub_schema, value, path + [name], out)
                    break  # the first declaring schema is enough; the others repeat it
    elif isinstance(instance, list):
        for sub, res in pairs:
            items = sub.get("items")
            if isinstance(items, dict):
                for i, value in enumerate(instance):
                    if isinstance(value, (dict, list)):
                        _walk(validator, res, items, value, path + [i], out)
                return
