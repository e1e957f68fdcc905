"""Run batching (fastpath.HotRun) may only skip work, never change a finding.

Every capture and every mutated stream gives the same findings, messages included, whether
the reader's Batch records reach the engine or each event comes alone. test_batching_guard.py
holds the guard: a rule that reads deltas, changed, is heard on deltas that are batched.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orvalidate import api
from orvalidate.engine import FileChecker
from orvalidate.model import Event, Finding, Problem
from orvalidate.protocol import DELTA_EVENTS
from orvalidate.reader import one_by_one, read
from orvalidate.rules import EVENT_CHECKS, registry, run_checks
from orvalidate.state import Options, StreamState

from conftest import FIXTURES, REAL

PROFILES = ("auto", "openai", "openrouter", "open-responses")


def _captures() -> list[Path]:
    found = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".sse", ".jsonl"))
    if REAL.is_dir():
        found += sorted(p for p in REAL.iterdir() if p.suffix in (".sse", ".jsonl"))
    return found


def _run(data: bytes, name: str, batched: bool, **options) -> tuple[list[Finding], int]:
    """(the findings, the events run batching took), with the reader's batches or one by one."""
    checker = FileChecker(name, **options)
    _, records = read(io.BytesIO(data), name)
    found: list[Finding] = []
    for record in records if batched else one_by_one(records):
        found += checker.feed(record)
    found += checker.close()
    return sorted(checker.settle(found), key=Finding.sort_key), checker.batched


def _findings(data: bytes, name: str, batched: bool, **options) -> list[Finding]:
    return _run(data, name, batched, **options)[0]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("strict", [False, True])
def test_every_capture_gives_the_same_findings_with_and_without_batching(profile: str, strict: bool) -> None:
    compared = batched = 0
    for path in _captures():
        data = path.read_bytes()
        with_it, taken = _run(data, str(path), True, profile=profile, strict=strict)
        assert with_it == _findings(data, str(path), False, profile=profile, strict=strict), path
        assert with_it == api.check_file(str(path), profile=profile, strict=strict).findings, path
        compared += 1
        batched += taken
    assert compared > 60
    assert (batched > 100) != strict  # batching is on, but under --strict (every field is looked at); 418 in fixtures/


def test_every_delta_type_a_catalog_knows_may_be_batched() -> None:
    """Every check that sees deltas declares what it reads (or answers for a run itself): a
    check that did not would turn batching off for every delta, unseen."""
    for profile in ("openai", "openrouter", "open-responses"):
        state = StreamState(Options(profile))
        from orvalidate import schemas

        for event_type in schemas.known_types(profile) & DELTA_EVENTS.keys():
            assert run_checks(event_type, state) is not None, (profile, event_type)


def test_the_guards_captures_are_batched() -> None:
    """test_batching_guard.py's captures: most of their deltas are taken by run batching."""
    from test_batching_guard import BATCHED, _delta_count

    for path in BATCHED:
        _, taken = _run(path.read_bytes(), str(path), True, profile="openai")
        assert taken >= _delta_count(path) // 2 > 0, path


def test_a_check_that_reads_an_unpinned_field_turns_batching_off_for_its_deltas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rule that reads `delta` (which a run leaves free) would be skipped on batched deltas:
    the registry refuses to batch them, and it sees every one."""
    path = FIXTURES / "valid" / "openai_text.sse"
    seen: list[object] = []

    def reads_delta(event: Event, ref, state) -> Iterator[Problem]:
        seen.append(event.payload["delta"])  # type: ignore[index]
        return iter(())

    monkeypatch.setattr(registry, "EVENT_CHECKS", [*EVENT_CHECKS])  # registered for this test only
    monkeypatch.setattr(registry, "_BY_TYPE", {})
    registry.on_event("F006", types=["response.output_text.delta"], reads=["delta"])(reads_delta)
    assert run_checks("response.output_text.delta", StreamState(Options("openai"))) is None
    _, taken = _run(path.read_bytes(), str(path), True, profile="openai")
    from test_batching_guard import _delta_count

    assert len(seen) == _delta_count(path) > 2 and taken == 0


# -- mutations: one event of a clean stream changed in a way a rule may care about ------------


def _events(path: Path) -> list[dict]:
    with open(path, "rb") as stream:
        return [r.payload for r in one_by_one(read(stream, str(path))[1]) if isinstance(r, Event)]


BASES = [
    _events(FIXTURES / "valid" / name)
    for name in ("openai_text.sse", "openai_reasoning.sse", "openai_function_call.jsonl")
]
FIELDS = ["sequence_number", "item_id", "output_index", "content_index", "summary_index", "delta", "type", "logprobs"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 40),
    st.sampled_from(
        [
            "msg_x",
            "",
            "response.output_text.delta",
            "response.refusal.delta",
            "response.reasoning_summary_text.delta",
            "response.function_call_arguments.delta",
            "response.completed",
            "response.output_text.done",
        ]
    ),
    st.just([]),
    st.just([{"token": "a", "logprob": -0.1}]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from(range(len(BASES))),
    changes=st.lists(
        st.tuples(st.integers(0, 10**6), st.sampled_from(FIELDS), VALUES, st.booleans()), min_size=1, max_size=3
    ),
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
        data = b"".join(
            b"event: "
            + orjson.dumps(BASES[base][0]["type"] if i == 1 else e.get("type", "x"))[1:-1]
            + b"\ndata: "
            + orjson.dumps(e)
            + b"\n\n"
            for i, e in enumerate(events)
        )
        name = "m.sse"
    else:
        data = b"".join(orjson.dumps(e) + b"\n" for e in events)
        name = "m.jsonl"
    assert _findings(data, name, True, profile=profile) == _findings(data, name, False, profile=profile)


# -- the bytes of a line or block in the middle of a run -------------------------------------

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
    has an S002 held until the profile is known, which the schema rule says of a batched run too."""
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
