"""An inlined JSON Schema -> a Python predicate `is_valid(instance) -> bool`, as source code.

Why: a text delta must be checked in about a microsecond. python-jsonschema takes tens and
jsonschema-rs pays for copying every event into Rust; a predicate generated once per event
type from the bundled schemas does only the comparisons the schema asks for. It covers just
the keywords the bundled schemas use and refuses any other, so a new keyword in schemas/ can
never be silently ignored. It only says "valid": python-jsonschema (schema_validator.py)
explains a failure, and the tests hold the predicates to its verdicts and findings on every
fixture and real event.

The bundled schemas' predicates are written once, into the module schema_predicates.py
(`python -m orvalidate.schemas`), so no start pays for generating and compiling them.

Types follow the wire, as schema_validator.py's checker does: `integer` is exactly `int` (not `3.0`,
not a bool), `number` is an int or a float but not a bool.
"""

from __future__ import annotations

from typing import Any, Callable

# Keywords that constrain nothing: annotations, and the extension keywords of --strict.
_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default", "deprecated"})
_HANDLED = frozenset(
    {"type", "const", "enum", "minimum", "required", "properties", "items", "if", "then", "else", "allOf", "$ref"}
)
_IDENTITY = frozenset({"$id", "$schema", "$defs"})  # where a schema lives, not what it checks

_TYPE_TESTS = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "string": "isinstance({v}, str)",
    "integer": "type({v}) is int",
    "number": "(isinstance({v}, (int, float)) and type({v}) is not bool)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
}


# Builtins bound as default arguments: a local is found faster than a builtin.
_LOCALS = "isinstance=isinstance, type=type, int=int, float=float, str=str, bool=bool, dict=dict, list=list"


def _checked(schema: Any) -> bool:
    """Does this subschema constrain anything (a missing property schema does not)?"""
    if schema is None or schema is True:
        return False
    return not (isinstance(schema, dict) and not (set(schema) - _ANNOTATIONS))


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def json_equal(one: Any, two: Any) -> bool:
    """JSON equality as python-jsonschema's `const` and `enum` see it: true is not 1, 1 is 1.0."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(json_equal(one[k], two[k]) for k in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return one == two


Lookup = Callable[[str, str], "tuple[Any, str]"]  # ($ref, base $id) -> (target, its file's $id)


class Compiler:
    """Writes the predicates of many schemas as the source of one module whose `PREDICATES` maps
    each name to its predicate. A `$ref` target that holds objects or arrays becomes one function
    that every schema naming it calls (the response object serves a dozen event types); a scalar
    target is written in place."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.writer = _Writer(self)
        self.shared: dict[tuple[str, str], str] = {}  # (file $id, pointer) -> function name
        self.entries: dict[str, str] = {}

    def add(self, name: str, schema: Any, base: str) -> None:
        self.writer.base = base
        self.entries[name] = self.writer.function(schema)

    def shared_function(self, node: Any, where: str, pointer: str) -> str:
        key = (where, pointer)
        if key not in self.shared:
            saved, self.writer.base = self.writer.base, where
            self.shared[key] = self.writer.function(node)
            self.writer.base = saved
        return self.shared[key]

    def source(self, header: str = "") -> str:
        constants = "\n".join(f"{name} = {literal}" for literal, name in self.writer.constants.items())
        functions = ["\n".join(lines) for lines in self.writer.functions]
        entries = "".join(f"    {name!r}: {function},\n" for name, function in sorted(self.entries.items()))
        uses_equal = any("_equal(" in f for f in functions)
        imports = "from orvalidate.compiled import json_equal as _equal" if uses_equal else ""
        parts = [header.strip("\n"), imports, constants, *functions]
        return "\n\n".join([*filter(None, parts), "PREDICATES = {\n" + entries + "}"]) + "\n"


def _literal(value: Any) -> str:
    """Python source for a JSON value or a frozenset of strings, the same on every run (a set's
    own repr follows the string hash, which changes from run to run)."""
    if isinstance(value, frozenset):
        return "frozenset({" + ", ".join(repr(v) for v in sorted(value)) + "})"
    return repr(value)


def _has_structure(schema: Any) -> bool:
    """Does a schema look into objects or arrays, or follow refs (then it is worth a function)?"""
    if not isinstance(schema, dict):
        return False
    return bool({"properties", "items", "$ref", "allOf", "if", "required"} & schema.keys())


def _plain_array(schema: Any) -> bool:
    """An array of one item schema and nothing else (a delta's `logprobs`): written in place it
    is a type test and a loop, where a shared function cost a call on every delta."""
    return (
        isinstance(schema, dict) and schema.get("type") == "array" and set(schema) - _ANNOTATIONS <= {"type", "items"}
    )


class _Writer:
    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler
        self.base = ""
        self.functions: list[list[str]] = []
        self.constants: dict[str, str] = {}  # literal -> name, so equal constants are written once
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, value: Any) -> str:
        literal = _literal(value)
        if literal not in self.constants:
            self.constants[literal] = self.name("_c")
        return self.constants[literal]

    def function(self, schema: Any) -> str:
        """A function `name(v) -> bool` for the schema; returns its name."""
        name = self.name("_f")
        lines = [f"def {name}(v0, {_LOCALS}):", "    try:", "        pass"]
        self.functions.append(lines)
        self.body(schema, "v0", 2, lines, is_dict=False)
        lines += ["    except KeyError:", "        return False", "    return True"]
        return name

    def body(self, schema: Any, v: str, depth: int, out: list[str], is_dict: bool) -> None:
        """Lines that `return False` when `v` does not match the schema."""
        pad = "    " * depth
        if schema is True:
            return
        if schema is False:
            out.append(f"{pad}return False")
            return
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"a schema must be an object or a boolean, not {schema!r}")
        unknown = set(schema) - _HANDLED - _ANNOTATIONS - _IDENTITY
        unknown = {k for k in unknown if not k.startswith("x-")}
        if unknown:
            raise UnsupportedSchema(f"keywords {sorted(unknown)} are not supported by the compiled checks")
        if "$ref" in schema:
            target, where = self.compiler.lookup(schema["$ref"], self.base)
            if _has_structure(target) and not _plain_array(target):
                function = self.compiler.shared_function(target, where, schema["$ref"].partition("#")[2])
                out.append(f"{pad}if not {function}({v}): return False")
            else:  # a scalar target, or an array of one schema, is written in place
                saved, self.base = self.base, where
                self.body(target, v, depth, out, is_dict)
                self.base = saved
        kinds = None
        if "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            tests = " or ".join(_TYPE_TESTS[k].format(v=v) for k in kinds)
            out.append(f"{pad}if not ({tests}): return False")
            is_dict = is_dict or kinds == ["object"]
        if "const" in schema:
            value = schema["const"]
            if isinstance(value, str):
                out.append(f"{pad}if {v} != {value!r}: return False")
            else:
                out.append(f"{pad}if not _equal({v}, {self.constant(value)}): return False")
        if "enum" in schema:
            values = schema["enum"]
            if all(isinstance(x, str) or x is None or x is True or x is False for x in values):
                # strings by a set; null, true and false by identity (true is not 1)
                strings = frozenset(x for x in values if isinstance(x, str))
                alternatives = [f"{v} is {x!r}" for x in (None, True, False) if any(x is y for y in values)]
                if strings:
                    alternatives.append(f"(isinstance({v}, str) and {v} in {self.constant(strings)})")
                out.append(f"{pad}if not ({' or '.join(alternatives)}): return False")
            else:
                out.append(f"{pad}if not any(_equal({v}, x) for x in {self.constant(list(values))}): return False")
        if "minimum" in schema:
            if kinds is not None and set(kinds) <= {"integer", "number"}:  # already known to be a number
                out.append(f"{pad}if {v} < {schema['minimum']!r}: return False")
            else:
                number = _TYPE_TESTS["number"].format(v=v)
                out.append(f"{pad}if {number} and {v} < {schema['minimum']!r}: return False")
        required = list(dict.fromkeys(schema.get("required", ())))
        properties = schema.get("properties", {})
        if required or properties:
            inner = pad
            if not is_dict:
                out.append(f"{pad}if isinstance({v}, dict):")
                inner = pad + "    "
                out.append(f"{inner}pass")
            # a required key that has a property schema is read as `v[key]` below: a missing one
            # raises KeyError, which the function turns into False
            for key in required:
                if not _checked(properties.get(key)):
                    out.append(f"{inner}if {key!r} not in {v}: return False")
            for key, sub in properties.items():
                if not _checked(sub):
                    continue
                child = self.name("v")
                if key in required:
                    out.append(f"{inner}{child} = {v}[{key!r}]")
                    self.body(sub, child, depth + (inner != pad), out, is_dict=False)
                else:
                    out.append(f"{inner}if {key!r} in {v}:")
                    out.append(f"{inner}    {child} = {v}[{key!r}]")
                    self.body(sub, child, depth + (inner != pad) + 1, out, is_dict=False)
        if "items" in schema:
            element = self.name("v")
            if kinds == ["array"]:
                out.append(f"{pad}for {element} in {v}:")
                out.append(f"{pad}    pass")
                self.body(schema["items"], element, depth + 1, out, is_dict=False)
            else:
                out.append(f"{pad}if isinstance({v}, list):")
                out.append(f"{pad}    for {element} in {v}:")
                out.append(f"{pad}        pass")
                self.body(schema["items"], element, depth + 2, out, is_dict=False)
        branches = _discriminated(schema.get("allOf", ()))
        if branches is not None:  # one `if` per value of one field: one test, not one call each
            key, cases = branches
            tag = self.name("v")
            test = f"{v}.get({key!r})" if is_dict else f"{v}.get({key!r}) if isinstance({v}, dict) else None"
            out.append(f"{pad}{tag} = {test}")
            for n, (value, then) in enumerate(cases):
                out.append(f"{pad}{'el' if n else ''}if {tag} == {value!r}:")
                out.append(f"{pad}    pass")
                self.body(then, v, depth + 1, out, is_dict)
        else:
            for sub in schema.get("allOf", ()):
                self.body(sub, v, depth, out, is_dict)
        if "if" in schema and ("then" in schema or "else" in schema):
            test = self.function(schema["if"])
            out.append(f"{pad}if {test}({v}):")
            out.append(f"{pad}    pass")
            self.body(schema.get("then", True), v, depth + 1, out, is_dict)
            out.append(f"{pad}else:")
            out.append(f"{pad}    pass")
            self.body(schema.get("else", True), v, depth + 1, out, is_dict)


def _discriminated(subschemas: Any) -> tuple[str, list[tuple[str, Any]]] | None:
    """(key, [(value, then)]) when every subschema is `{"if": <an object whose `key` is the
    string `value`>, "then": ...}` with a different value each (an output item's `type`): at
    most one `then` applies, the one whose value the instance's field equals."""
    if len(subschemas) < 2:
        return None
    keys, cases = set(), []
    for sub in subschemas:
        if not isinstance(sub, dict) or set(sub) - _ANNOTATIONS != {"if", "then"}:
            return None
        test = sub["if"]
        if not isinstance(test, dict) or set(test) - _ANNOTATIONS != {"type", "properties", "required"}:
            return None
        properties = test["properties"]
        if test["type"] != "object" or not isinstance(properties, dict) or len(properties) != 1:
            return None
        ((key, field),) = properties.items()
        if test["required"] != [key] or not isinstance(field, dict) or set(field) - _ANNOTATIONS != {"const"}:
            return None
        if not isinstance(field["const"], str):
            return None
        keys.add(key)
        cases.append((field["const"], sub["then"]))
    if len(keys) != 1 or len({value for value, _ in cases}) < len(cases):
        return None
    return keys.pop(), cases


def compile_schema(schema: Any) -> Callable[[Any], bool]:
    """The predicate for a schema without `$ref`; UnsupportedSchema for other keywords."""
    compiler = Compiler(_no_refs)
    compiler.add("schema", schema, "")
    source = compiler.source()
    namespace: dict[str, Any] = {}
    exec(compile(source, "<orvalidate compiled schema>", "exec"), namespace)
    check = namespace["PREDICATES"]["schema"]
    check.source = source  # type: ignore[attr-defined]  # for debugging and the tests
    return check


def _no_refs(ref: str, base: str) -> tuple[Any, str]:
    raise UnsupportedSchema(f"`$ref` {ref!r} without a lookup")
