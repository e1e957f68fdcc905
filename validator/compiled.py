"""An inlined JSON Schema -> a Python predicate `is_valid(instance) -> bool`, as source code.

Why: a text delta must be checked in about a microsecond. python-jsonschema takes tens and
jsonschema-rs pays for copying every event into Rust; a predicate generated once per event
type from the bundled schemas does only the comparisons the schema asks for. It covers just
the keywords the bundled schemas use and refuses any other, so a new keyword in schemas/ can
never be silently ignored. It only says "valid": python-jsonschema still words every S001,
and a test holds the two to the same verdict on every fixture and real event.

A `$ref` target that holds objects or arrays is compiled once, as a function every schema that
names it calls (the response object is shared by a dozen event types); a scalar target is
written in place.

Types follow schemas.py's python-jsonschema checker: `integer` is exactly `int` (not `3.0`,
not a bool), `number` is an int or a float but not a bool.
"""

from __future__ import annotations

from typing import Any, Callable

# Keywords that constrain nothing: annotations, and the extension keywords of --strict.
_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default", "deprecated"})
_HANDLED = frozenset({"type", "const", "enum", "minimum", "required", "properties", "items", "if", "then", "else", "allOf", "$ref"})
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
    """Compiles schemas whose `$ref`s `lookup` resolves; shared targets are compiled once."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.shared: dict[tuple[str, str], list] = {}

    def compile(self, schema: Any, base: str) -> Callable[[Any], bool]:
        writer = _Writer(self, base)
        entry = writer.function(schema)
        source = "\n\n".join("\n".join(lines) for lines in reversed(writer.functions))
        namespace: dict[str, Any] = {"_equal": json_equal, **writer.constants}
        exec(compile(source, "<orvalidate compiled schema>", "exec"), namespace)
        check = namespace[entry]
        check.source = source  # type: ignore[attr-defined]  (for debugging and the tests)
        return check

    def target(self, ref: str, base: str) -> tuple[Any, str, list | None]:
        """(target schema, its base, a cell holding its shared function, or None when it is
        written in place). The function is compiled on its first call: a `response.created`
        with no output never pays for the schemas of its thirty item types."""
        node, where = self.lookup(ref, base)
        if not _has_structure(node):
            return node, where, None
        key = (where, ref.partition("#")[2])
        if key not in self.shared:
            cell: list = []

            def first_call(value: Any) -> bool:
                cell[0] = self.compile(node, where)
                return cell[0](value)

            cell.append(first_call)
            self.shared[key] = cell
        return node, where, self.shared[key]


def _has_structure(schema: Any) -> bool:
    """Does a schema look into objects or arrays, or follow refs (then it is worth a function)?"""
    if not isinstance(schema, dict):
        return False
    return bool({"properties", "items", "$ref", "allOf", "if", "required"} & schema.keys())


class _Writer:
    def __init__(self, compiler: Compiler, base: str) -> None:
        self.compiler = compiler
        self.base = base
        self.functions: list[list[str]] = []
        self.constants: dict[str, Any] = {}
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, value: Any) -> str:
        name = self.name("_c")
        self.constants[name] = value
        return name

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
            target, where, shared = self.compiler.target(schema["$ref"], self.base)
            if shared is not None:
                out.append(f"{pad}if not {self.constant(shared)}[0]({v}): return False")
            else:
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
            if all(isinstance(x, str) for x in values):
                out.append(f"{pad}if not (isinstance({v}, str) and {v} in {self.constant(frozenset(values))}): return False")
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


def compile_schema(schema: Any) -> Callable[[Any], bool]:
    """The predicate for a schema without `$ref`; UnsupportedSchema for other keywords."""
    return Compiler(_no_refs).compile(schema, "")


def _no_refs(ref: str, base: str) -> tuple[Any, str]:
    raise UnsupportedSchema(f"`$ref` {ref!r} without a lookup")
