"""The user's schemas: `--schemas DIR` and `schemas = ["dir", ...]` in [tool.orvalidate].

Gateways and servers add their own event types and fields. Each `*.json` in a folder is a Draft
2020-12 schema for the event type its file name names (`response.my_vendor.event.json`): added
to every profile, or replacing the bundled schema of that type. A schema may `$ref` the bundled
ones by their `$id` (`https://orvalidate.invalid/schemas/defs/common.json#/$defs/...`); a later
folder's file wins over an earlier one's of the same type.

Every file is read and checked before any capture: one that is not JSON, not a valid schema
under the 2020-12 metaschema, or with a `$ref` that resolves to nothing is a usage error
(`SchemaFileError`, one line: the CLI exits 2). Nothing is fetched from the network: a `$ref`
resolves only to the bundled schemas and the user's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson

from .schema_wording import clip
from .schemas import UserSchema

__all__ = ["SchemaFileError", "load"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_MESSAGE_MAX = 160


class SchemaFileError(Exception):
    """A user schema that cannot be used: exit 2 with this one-line message."""


def load(folders: Iterable[str | Path]) -> dict[str, UserSchema]:
    """Event type -> its user schema, from every `*.json` of the folders, each checked."""
    from jsonschema.exceptions import SchemaError

    from .schema_validator import Validator, with_user

    found: dict[str, UserSchema] = {}
    for folder in folders:
        where = Path(folder)
        if not where.is_dir():
            raise SchemaFileError(
                f"{folder}: not a folder of schemas ({'no such folder' if not where.exists() else 'a file'})"
            )
        for path in sorted(where.glob("*.json")):
            contents = _read(path)
            try:
                Validator.check_schema(contents)
            except SchemaError as exc:
                raise SchemaFileError(
                    f"{path}: not a valid Draft 2020-12 schema: {_where(exc.path)}{_clip(exc.message)}"
                ) from None
            _draft(path, contents)
            uri = contents.get("$id") if isinstance(contents, dict) else None
            if not isinstance(uri, str) or not uri:
                uri = path.resolve().as_uri()
            found[path.name[: -len(".json")]] = UserSchema(str(path), uri, contents)
    known = with_user((s.uri, s.contents) for s in found.values())
    for schema in found.values():
        _check_refs(schema, known)
    return found


def _read(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SchemaFileError(f"{path}: {exc.strerror or exc}") from None
    try:
        contents = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SchemaFileError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(contents, (dict, bool)):
        raise SchemaFileError(f"{path}: not a schema: a schema is a JSON object (or true or false)")
    return contents


def _draft(path: Path, contents: Any) -> None:
    """A schema that names another draft is not read as 2020-12 by mistake."""
    named = contents.get("$schema", _DRAFT) if isinstance(contents, dict) else _DRAFT
    if named.rstrip("#") != _DRAFT:
        raise SchemaFileError(f"{path}: `$schema` is {named!r}; orvalidate reads Draft 2020-12 ({_DRAFT})")


def _check_refs(schema: UserSchema, known: Any) -> None:
    """Every `$ref` of the schema resolves, within the bundled schemas and the user's."""
    from referencing.exceptions import Unresolvable

    for base, ref in _refs(schema.contents, schema.uri):
        try:
            known.resolver(base_uri=base).lookup(ref)
        except Unresolvable:
            raise SchemaFileError(
                f"{schema.path}: `$ref` {ref!r} resolves to nothing (the bundled schemas are named by their `$id`, "
                f"such as https://orvalidate.invalid/schemas/defs/common.json)"
            ) from None


# Keywords whose values are not schemas, or are maps of names to schemas
_NOT_SCHEMAS = frozenset(
    {"const", "enum", "examples", "default", "required", "type", "$comment", "description", "title"}
)
_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def _refs(node: Any, base: str) -> Iterator[tuple[str, str]]:
    """(base URI, `$ref`) of every subschema."""
    if isinstance(node, list):
        for value in node:
            yield from _refs(value, base)
        return
    if not isinstance(node, dict):
        return
    own = node.get("$id")
    if isinstance(own, str):
        from urllib.parse import urljoin

        base = urljoin(base, own)
    if isinstance(node.get("$ref"), str):
        yield base, node["$ref"]
    for key, value in node.items():
        if key in _NOT_SCHEMAS or key.startswith("x-"):
            continue
        if key in _MAPS and isinstance(value, dict):
            for sub in value.values():
                yield from _refs(sub, base)
        elif isinstance(value, (dict, list)):
            yield from _refs(value, base)


def _where(path: Iterable[Any]) -> str:
    parts = list(path)
    if not parts:
        return ""
    return "at `" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".") + "`: "


def _clip(text: str) -> str:
    """python-jsonschema's message on one line, cut short (it may quote a whole subschema)."""
    return clip(" ".join(text.split()), _MESSAGE_MAX)
