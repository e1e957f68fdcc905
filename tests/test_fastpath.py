"""fastpath.plain_delta may only skip work, never change a finding: every capture and every
mutated stream gives the same findings, messages included, with the shortcut and without it."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orvalidate import api, engine, fastpath
from orvalidate.protocol import DELTA_EVENTS
from orvalidate.rules import EVENT_CHECKS, checks_for

from conftest import FIXTURES, REAL

PROFILES = ("auto", "openai", "openrouter", "open-responses")


def _captures() -> list[Path]:
    found = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".sse", ".jsonl"))
    if REAL.is_dir():
        found += sorted(p for p in REAL.iterdir() if p.suffix in (".sse", ".jsonl"))
    return found


def _findings(data: bytes, name: str, quick: bool, **options) -> list:
    engine.QUICK = quick
    try:
        return api.drain(api.check_stream(io.BytesIO(data), name, **options)).findings
    finally:
        engine.QUICK = True


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("strict", [False, True])
def test_every_capture_gives_the_same_findings_with_and_without_it(profile: str, strict: bool) -> None:
    compared = 0
    for path in _captures():
        data = path.read_bytes()
        with_it = _findings(data, str(path), True, profile=profile, strict=strict)
        assert with_it == _findings(data, str(path), False, profile=profile, strict=strict), path
        compared += 1
    assert compared > 60


def test_it_takes_the_shortcut_on_real_deltas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a check that never fires: the first delta of a run goes through plain_delta, and
    the next ones of a clean capture are taken by HotRun without an Event."""
    plain, taken = [], []  # plain_delta's answers; lines take_lines took at each call
    original, take_lines = fastpath.plain_delta, fastpath.HotRun.take_lines
    monkeypatch.setattr(engine, "plain_delta", lambda e, s: plain.append(r := original(e, s)) or r)
    monkeypatch.setattr(fastpath.HotRun, "take_lines", lambda *a: taken.append(r := take_lines(*a)) or r)
    for name, lines in (("openai_text.sse", 3), ("openai_function_call.jsonl", 1)):
        report = api.check_file(str(FIXTURES / "valid" / name))
        assert report.findings == [], name
        assert sum(p is not None for p in plain) >= 1 and sum(taken) >= 3 * lines, name
        plain.clear()
        taken.clear()


def test_every_rule_that_reads_deltas_is_covered() -> None:
    for kind in DELTA_EVENTS:
        names = {f"{check.__module__.rsplit('.', 1)[-1]}.{check.__name__}" for check in checks_for(kind)}
        assert names == fastpath.COVERED, f"{kind}: update fastpath.plain_delta for {names ^ fastpath.COVERED}"


@pytest.mark.parametrize("profile", PROFILES)
def test_the_schema_rules_gate_changes_no_finding(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """rules/schema.py asks the compiled predicate first and says nothing when it passes: every
    capture gives the same findings with and without that gate, and the gate is taken."""
    from orvalidate.rules import schema

    gated, asked = schema._passes_for, []
    monkeypatch.setattr(schema, "_passes_for", lambda *a: asked.append(r := gated(*a)) or r)
    for path in _captures():
        data = path.read_bytes()
        with_it = _findings(data, str(path), False, profile=profile)
        monkeypatch.setattr(schema, "_passes_for", lambda *a: None)
        assert with_it == _findings(data, str(path), False, profile=profile), path
        monkeypatch.setattr(schema, "_passes_for", lambda *a: asked.append(r := gated(*a)) or r)
    assert sum(found is not None for found in asked) > 1000


def test_in_order_names_checks_every_event_type_runs() -> None:
    """IN_ORDER names checks that run on every type: one renamed, or given `types`, would be
    skipped where it never ran, or kept where in_order answered for it."""
    names = {f"{check.__module__.rsplit('.', 1)[-1]}.{check.__name__}" for check in EVENT_CHECKS}
    assert fastpath.IN_ORDER <= names
    for event_type in ("response.created", "response.completed", "response.output_item.added", "made.up"):
        every = {f"{check.__module__.rsplit('.', 1)[-1]}.{check.__name__}" for check in checks_for(event_type)}
        rest = {f"{check.__module__.rsplit('.', 1)[-1]}.{check.__name__}" for check in fastpath.rest_of(event_type)}
        assert every - rest == fastpath.IN_ORDER, event_type


def test_a_check_registered_later_runs_on_events_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """rest_of's cached tuples follow the registry: a check registered after they were made
    still sees every event the full path takes, in order or not."""
    from orvalidate.rules import registry

    capture = str(FIXTURES / "valid" / "openai_text.sse")
    api.check_file(capture)  # rest_of's tuples made for this capture's types
    seen = []

    def late(event, ref, state):
        seen.append(ref.type)
        return iter(())

    late.types = None
    monkeypatch.setattr(registry, "EVENT_CHECKS", [*registry.EVENT_CHECKS, late])
    monkeypatch.setattr(registry, "_BY_TYPE", {})
    api.check_file(capture)
    assert "response.output_item.added" in seen and "response.completed" in seen


def test_in_order_is_taken_on_real_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a check that never fires: on a clean capture most full-path events are in order,
    and the first of a stream is not (L001 and Q001 look at it)."""
    answers = []
    original = fastpath.in_order
    monkeypatch.setattr(engine, "in_order", lambda e, r, s: answers.append((r.type, original(e, r, s))) or answers[-1][1])
    assert api.check_file(str(FIXTURES / "valid" / "openai_text.sse")).findings == []
    assert answers[0] == ("response.created", False)
    assert sum(taken for _, taken in answers) >= len(answers) - 2 >= 5


# -- mutations: one event of a clean stream changed in a way a rule may care about ------------

def _events(path: Path) -> list[dict]:
    from orvalidate.model import Event
    from orvalidate.reader import read

    with open(path, "rb") as stream:
        return [r.payload for r in read(stream, str(path))[1] if isinstance(r, Event)]


BASES = [_events(FIXTURES / "valid" / name) for name in ("openai_text.sse", "openai_reasoning.sse", "openai_function_call.jsonl")]
FIELDS = ["sequence_number", "item_id", "output_index", "content_index", "summary_index", "delta", "type", "logprobs"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 40), st.sampled_from(["msg_x", "", "response.output_text.delta",
    "response.refusal.delta", "response.reasoning_summary_text.delta", "response.function_call_arguments.delta",
    "response.completed", "response.output_text.done"]), st.just([]), st.just([{"token": "a", "logprob": -0.1}]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(range(len(BASES))),
    changes=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(FIELDS), VALUES, st.booleans()), min_size=1, max_size=3),
    moves=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=1),
    profile=st.sampled_from(PROFILES),
    wrap=st.booleans(),
)
def test_mutated_streams_give_the_same_findings(base, changes, moves, profile, wrap) -> None:
    events = [dict(e) for e in BASES[base]]
    for where, field, value, drop in changes:
        event = events[where % len(events)]
        if drop:
            event.pop(field, None)
        else:
            event[field] = value
    for a, b in moves:  # an event out of its place
        events.insert(b % len(events), events.pop(a % len(events)))
    if wrap:  # SSE, with an `event:` name that may disagree with a mutated type
        data = b"".join(b"event: " + orjson.dumps(BASES[base][0]["type"] if i == 1 else e.get("type", "x"))[1:-1]
                        + b"\ndata: " + orjson.dumps(e) + b"\n\n" for i, e in enumerate(events))
        name = "m.sse"
    else:
        data = b"".join(orjson.dumps(e) + b"\n" for e in events)
        name = "m.jsonl"
    assert _findings(data, name, True, profile=profile) == _findings(data, name, False, profile=profile)


# -- the bytes of a line or block, which HotRun.take_lines reads itself ------------------------

EDITS = [
    ("event: response.output_text.delta", "event: response.refusal.delta"),  # F006
    ("event: response.output_text.delta\n", ""),  # no `event:` line
    ("event: response.output_text.delta\n", "event: response.output_text.delta\n: a comment\n"),
    ("event: response.output_text.delta\n", "id: 7\nevent: response.output_text.delta\n"),
    ('{"type":', '{"type" :'),
]


@pytest.mark.parametrize("old, new", EDITS)
def test_a_block_edited_mid_run_gives_the_same_findings_with_and_without_it(old: str, new: str) -> None:
    text = (FIXTURES / "valid" / "openai_text.sse").read_text()
    blocks = text.split("\n\n")
    deltas = [i for i, b in enumerate(blocks) if b.startswith("event: response.output_text.delta")]
    assert len(deltas) >= 3
    for i in deltas[1:]:
        edited = blocks[:i] + [blocks[i].replace(old, new, 1)] + blocks[i + 1 :]
        data = "\n\n".join(edited).encode()
        with_it = _findings(data, "x.sse", True)
        assert with_it == _findings(data, "x.sse", False), (i, old)
        if "refusal" in new:
            assert "F006" in {f.code for f in with_it}


LINE_EDITS = [
    (b"}\n", b"}\r\n"),  # CRLF
    (b"}\n", b"}\n\n"),  # a blank line after it
    (b"}\n", b"}   \n"),  # blanks after it
    (b'{"type":', b' {"type" :'),  # blanks before it and before a colon
    (b'"delta":', b'"delta":"x","delta":'),  # F007: a repeated key
    (b'"output_index":0', b'"output_index":18446744073709551616'),  # F008: past 64 bits
    (b'"output_index":0', b'"output_index":0.0'),
    (b'"delta":"', b'"delta":"\\u00e9'),  # an escape orjson writes back as UTF-8
    (b'"delta":"', b'"delta":"\xff'),  # F002: not UTF-8
    (b"}\n", b"\n"),  # F001: not JSON
]


@pytest.mark.parametrize("old, new", LINE_EDITS)
def test_a_jsonl_line_edited_mid_run_gives_the_same_findings_with_and_without_it(old: bytes, new: bytes) -> None:
    lines = (FIXTURES / "valid" / "openai_function_call.jsonl").read_bytes().splitlines(keepends=True)
    deltas = [i for i, line in enumerate(lines) if b'.delta"' in line and old in line]
    assert len(deltas) >= 3
    for i in deltas[1:]:
        data = b"".join(lines[:i] + [lines[i].replace(old, new, 1)] + lines[i + 1 :])
        assert _findings(data, "x.jsonl", True) == _findings(data, "x.jsonl", False), (i, new)


@pytest.mark.parametrize("marker", ["", ": OPENROUTER PROCESSING\n\n"])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_type_one_auto_candidate_lacks_gives_the_same_findings_with_and_without_it(marker: str, where: str) -> None:
    """`shell_call_command.delta` is not in OpenRouter's catalog: under `auto` each such delta
    has an S002 held until the profile is known, which the shortcut holds too."""
    if not REAL.is_dir():
        pytest.skip("real captures not found")
    text = (REAL / "openai_hosted_shell_8_commands.sse").read_text()
    blocks = text.split("\n\n")
    at = {"start": 1, "middle": len(blocks) // 2, "end": len(blocks)}[where]
    data = "\n\n".join(blocks[:at] + [marker.strip()] * bool(marker) + blocks[at:]).encode()
    with_it = _findings(data, "x.sse", True)
    assert with_it == _findings(data, "x.sse", False)
    s002 = [f for f in with_it if f.code == "S002"]
    assert (len(s002) >= 10) == bool(marker)
