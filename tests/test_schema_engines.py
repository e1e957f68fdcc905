"""The compiled predicates (compiled.py) vouch for valid events; python-jsonschema
(schema_validator.py) finds what is wrong with the others. Deciding every event alone
(schema_reference.py), python-jsonschema must give the same verdicts and the same findings,
messages included, on every event of every fixture and real capture under every profile, with
and without --strict, on each shipped event broken in one place, and on events mutated at
random; jsonschema-rs agrees wherever its looser `integer` does not differ."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orvalidate import schemas
from orvalidate.compiled import UnsupportedSchema, compile_schema, json_equal
from orvalidate.model import PROFILES, Event
from orvalidate.protocol import DELTA_EVENTS, RUN_PINNED
from orvalidate.reader import one_by_one, read

import schema_reference

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "captures" / "real"


def payloads() -> list[dict]:
    files = sorted((ROOT / "fixtures").rglob("*.sse")) + sorted((ROOT / "fixtures").rglob("*.jsonl"))
    if REAL.is_dir():
        files += sorted(p for p in REAL.iterdir() if p.suffix in (".sse", ".jsonl"))
    found = []
    for path in files:
        with open(path, "rb") as stream:
            found.extend(
                r.payload for r in one_by_one(read(stream, str(path))[1]) if isinstance(r, Event) and r.payload
            )
    return found


# A value of another JSON type than the one it replaces: what a broken event most often holds.
_OTHER = {str: 7, int: "7", float: "0.5", bool: "true", type(None): [], list: {"a": 1}, dict: ["a"]}


def broken(events: list[dict]) -> list[dict]:
    """Each event broken in one place, deterministically: a field (any depth, never `type`)
    dropped, and another replaced by a value of another type. The project ships these (its
    fixtures), so the comparisons have invalid events, and deltas enough, on a clone with no
    real captures beside it."""
    out = []
    for number, event in enumerate(events):
        places = [p for p in _places(event) if p and p != ("type",)]
        if not places:
            continue
        out.append(_drop(event, places[number % len(places)]))
        path = places[(number * 7 + 3) % len(places)]
        value = event
        for step in path:
            value = value[step]
        out.append(_replace(event, path, _OTHER[type(value)]))
    return out


SHIPPED = payloads()


def python_jsonschema_says(payload: dict, profile: str) -> bool:
    return schema_reference.validator(profile, payload["type"]).is_valid(payload)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("strict", [False, True])
def test_both_engines_give_the_same_findings(profile: str, strict: bool) -> None:
    assert len(EVENTS) > 1000
    ours = [schemas.check_event(e, profile, strict) for e in EVENTS]
    assert ours == [schema_reference.check_event(e, profile, strict) for e in EVENTS]
    assert sum(map(bool, ours)) > 20, "the comparison must include invalid events"


@pytest.mark.parametrize("profile", PROFILES)
def test_the_verdicts_agree_event_by_event(profile: str) -> None:
    known = schemas.known_types(profile)
    checked = [e for e in EVENTS if e["type"] in known]
    verdicts = [(schemas.quick_check(profile, e["type"])(e), python_jsonschema_says(e, profile)) for e in checked]
    assert all(a == b for a, b in verdicts)
    assert {b for _, b in verdicts} == {True, False}


def test_jsonschema_rs_agrees_where_integers_are_ints() -> None:
    """The old engine over the same inlined schemas: it calls 3.0 an integer, ours do not."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    compared = 0
    for event in EVENTS:
        if event["type"] not in schemas.known_types("openai") or _has_integral_float(event):
            continue
        rs = jsonschema_rs.Draft202012Validator(schemas._inlined("openai", event["type"]))
        try:
            expected = rs.is_valid(event)
        except ValueError:  # jsonschema-rs cannot take lone surrogates
            continue
        assert schemas.quick_check("openai", event["type"])(event) == expected, event
        compared += 1
    assert compared > 1000


def _has_integral_float(value) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(_has_integral_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_integral_float(v) for v in value)
    return False


def test_an_integral_float_is_not_an_integer() -> None:
    event = {
        "type": "response.output_text.delta",
        "sequence_number": 3.0,
        "item_id": "m",
        "output_index": 0,
        "content_index": 0,
        "delta": "x",
        "logprobs": [],
    }
    assert [p.json_path for p in schemas.check_event(event, "openai")] == ["$.sequence_number"]


# -- random mutations of real events: replace one value anywhere by another JSON value ---------

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=5)
    | st.sampled_from(["message", "output_text", "completed", "in_progress", "response.completed", "function_call"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["type", "id", "text", "status"]), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _places(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _places(v, path + (i,))


def _replace(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


def _drop(value, path):
    copy = dict(value) if isinstance(value, dict) else list(value)
    if len(path) == 1:
        del copy[path[0]]
    else:
        copy[path[0]] = _drop(value[path[0]], path[1:])
    return copy


EVENTS = SHIPPED + broken(SHIPPED)


@settings(max_examples=1500, deadline=None)
@given(st.integers(0, len(EVENTS) - 1), st.integers(0, 10**6), _JSON, st.booleans(), st.sampled_from(PROFILES))
def test_mutated_events_get_the_same_verdict(which: int, where: int, new, drop: bool, profile: str) -> None:
    event = EVENTS[which]
    places = [p for p in _places(event) if p and p != ("type",)]
    if not places or event["type"] not in schemas.known_types(profile):
        return
    path = places[where % len(places)]
    mutated = _drop(event, path) if drop else _replace(event, path, new)
    assert schemas.quick_check(profile, event["type"])(mutated) == python_jsonschema_says(mutated, profile)
    assert schemas.check_event(mutated, profile) == schema_reference.check_event(mutated, profile)


# -- the rest predicates of delta runs (schemas.rest_check, fastpath.HotRun) ------------------

DELTAS = [e for e in EVENTS if e["type"] in DELTA_EVENTS]


def _pinned(event_type: str) -> set:
    return {*RUN_PINNED, DELTA_EVENTS[event_type].part_index}


def test_every_delta_type_has_a_rest_predicate_that_leaves_out_only_the_pinned_fields() -> None:
    """A next delta of a run is checked by its rest predicate. That is sound when each pinned
    field passes for being equal to the last delta's, and the sequence number for being one
    more: its schema must take any integer >= 0, whatever the schemas say later."""
    for profile in PROFILES:
        for event_type in schemas.known_types(profile) & DELTA_EVENTS.keys():
            assert schemas.rest_check(profile, event_type) is not schemas.quick_check(profile, event_type)
            schema = schemas._inlined(profile, event_type)
            assert set(schema) - {"type", "required", "properties", "title", "description"} == set()
            number = {
                k: v for k, v in schema["properties"]["sequence_number"].items() if k not in ("description", "title")
            }
            assert number == {"type": "integer", "minimum": 0}, (profile, event_type)
    assert schemas.rest_check("openai", "response.completed") is schemas.quick_check("openai", "response.completed")


def test_rest_predicates_agree_with_the_full_ones_on_real_deltas() -> None:
    assert len(DELTAS) > 1000
    for profile in PROFILES:
        for event in DELTAS:
            if event["type"] in schemas.known_types(profile):
                full = schemas.quick_check(profile, event["type"])(event)
                assert schemas.rest_check(profile, event["type"])(event) or not full


@settings(max_examples=1500, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6), _JSON, st.booleans(), st.sampled_from(PROFILES))
def test_a_delta_changed_outside_its_pinned_fields_gets_the_same_verdict_from_its_rest_predicate(
    which: int, where: int, new, drop: bool, profile: str
) -> None:
    event = DELTAS[which % len(DELTAS)]
    if event["type"] not in schemas.known_types(profile) or not schemas.quick_check(profile, event["type"])(event):
        return
    places = [p for p in _places(event) if p and p[0] not in _pinned(event["type"])]
    if not places:
        return
    path = places[where % len(places)]
    mutated = _drop(event, path) if drop else _replace(event, path, new)
    full = schemas.quick_check(profile, event["type"])(mutated)
    assert schemas.rest_check(profile, event["type"])(mutated) == full, (path, mutated)


def test_the_shipped_predicates_match_the_schemas() -> None:
    """schema_predicates.py is generated from schemas/; the schemas stay the source of truth."""
    from orvalidate import schema_predicates

    shipped = Path(schema_predicates.__file__).read_text(encoding="utf-8")
    assert shipped == schemas.predicates_source(), "schemas/ changed: run `python -m orvalidate.schemas`"


def test_every_bundled_schema_compiles_and_unknown_keywords_are_refused() -> None:
    for profile in PROFILES:
        for event_type in schemas.known_types(profile):
            schemas.quick_check(profile, event_type)
    with pytest.raises(UnsupportedSchema):
        compile_schema({"type": "object", "additionalProperties": False})
    with pytest.raises(UnsupportedSchema):
        compile_schema({"properties": {"a": {"pattern": "x"}}})


def _union(first: str, second: str, required: bool = True) -> dict:
    """An `allOf` of `if k is <value> then ...`: with `required`, compiled.py tests `k` once."""

    def case(value: str, then: dict) -> dict:
        test = {"type": "object", "properties": {"k": {"const": value}}, **({"required": ["k"]} if required else {})}
        return {"if": test, "then": then}

    return {"allOf": [case(first, {"required": ["x"]}), case(second, {"required": ["y"]})]}


def _with_refs(listed: dict) -> tuple:
    """A predicate compiled from `{"properties": {"l": {"$ref": <listed>}}}`, where `listed`
    names `#/$defs/item` (an object with `a`), and the same schema with the refs inlined."""
    from orvalidate.compiled import Compiler

    item = {"type": "object", "required": ["a"]}
    defs = {"list": listed, "item": item}
    compiler = Compiler(lambda ref, base: (defs[ref.rpartition("/")[2]], base))
    compiler.add("schema", {"properties": {"l": {"$ref": "#/$defs/list"}}}, "")
    namespace: dict = {}
    source = compiler.source()
    exec(compile(source, "<test>", "exec"), namespace)
    inlined = {"properties": {"l": {**listed, "items": item}}}
    return namespace["PREDICATES"]["schema"], source, inlined


def test_a_ref_to_an_array_of_refs_gives_python_jsonschemas_verdicts() -> None:
    """A delta's `logprobs` is a $ref to an array of $ref (written in place by the compiler)."""
    plain = {"type": "array", "items": {"$ref": "#/$defs/item"}, "description": "listed"}
    for listed in (
        plain,
        {"type": ["array", "null"], "items": {"$ref": "#/$defs/item"}},
        {"items": {"$ref": "#/$defs/item"}},
    ):
        check, _, inlined = _with_refs(listed)
        reference = schema_reference.Reference(inlined)
        for value in (
            {},
            {"l": []},
            {"l": [{"a": 1}, {"a": None}]},
            {"l": [{"a": 1}, {}]},
            {"l": [1]},
            {"l": {}},
            {"l": None},
        ):
            assert check(value) == reference.is_valid(value), (listed, value)


@pytest.mark.parametrize(
    "schema, valid, invalid",
    [
        ({"const": 1}, [1, 1.0], [True, "1", None]),
        ({"const": True}, [True], [1, 1.0, "true"]),
        ({"const": [1, {"a": None}]}, [[1, {"a": None}], [1.0, {"a": None}]], [[True, {"a": None}], [1]]),
        ({"enum": [None, "a", 0]}, [None, "a", 0, 0.0], [False, "b", []]),
        ({"enum": ["a", "b"]}, ["a"], [["a"], {"a": 1}, 1]),
        ({"enum": ["a", None, True]}, ["a", None, True], [1, 1.0, False, 0, "b", ["a"]]),
        ({"enum": [False]}, [False], [0, 0.0, None, True]),
        ({"type": "integer", "minimum": 0}, [0, 2**80], [-1, 1.0, True, None]),
        ({"type": ["number", "null"], "minimum": 0}, [0, 0.5, None, float("nan")], [-0.5, "1", False]),
        ({"minimum": 1}, ["x", None, 1], [0, 0.5]),
        ({"required": ["a"], "properties": {"a": {"type": "string"}}}, [{"a": "x"}, [], "s"], [{}, {"a": 1}]),
        ({"type": "array", "items": {"type": "integer"}}, [[], [1, 2]], [[1, "2"], [1.5], {}]),
        ({"items": {"type": "integer"}}, [["x"][:0], {"a": "b"}, 3], [["x"]]),
        (
            {"if": {"properties": {"type": {"const": "a"}}}, "then": {"required": ["x"]}, "else": {"required": ["y"]}},
            [{"type": "a", "x": 1}, {"type": "b", "y": 1}, {"x": 1}],
            [{"type": "a", "y": 1}, {"type": "b"}, {"y": 1}],
        ),
        ({"allOf": [{"required": ["a"]}, {"required": ["b"]}]}, [{"a": 1, "b": 2}], [{"a": 1}]),
        (
            _union("a", "b"),
            [{"k": "a", "x": 1}, {"k": "b", "y": 1}, {"k": "c"}, {}, [], "s", {"k": ["a"]}, {"k": 1}],
            [{"k": "a"}, {"k": "b", "x": 1}],
        ),
        (_union("a", "b", required=False), [{"k": "a", "x": 1, "y": 1}, {"k": "c"}], [{}, {"k": "a"}]),
        (_union("a", "a"), [{"k": "a", "x": 1, "y": 1}, {"k": "b"}], [{"k": "a", "x": 1}]),
        ({"properties": {"a": False}}, [{}, {"b": 1}], [{"a": None}]),
        ({"properties": {"a": {"properties": {"b": False}}}, "items": False}, [{"a": {}}, []], [{"a": {"b": 1}}]),
        ({"type": "array", "items": {"type": ["string", "null"], "enum": ["x", None]}}, [["x", None]], [["y", 1]]),
    ],
)
def test_keywords_match_python_jsonschema(schema, valid, invalid) -> None:
    check = compile_schema(schema)
    reference = schema_reference.Reference(schema)
    for value in valid:
        assert check(value) and reference.is_valid(value), value
    for value in invalid:
        assert not check(value) and not reference.is_valid(value), value


def test_json_equal() -> None:
    assert json_equal(1, 1.0) and not json_equal(True, 1) and not json_equal(False, 0)
    assert json_equal({"a": [1]}, {"a": [1.0]}) and not json_equal({"a": 1}, {"b": 1})
