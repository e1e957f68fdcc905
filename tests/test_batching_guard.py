"""The guard of run batching: a rule that reads deltas, changed to fire on one more condition,
is heard on the deltas of captures whose runs are batched (fastpath.HotRun).

The old shortcut restated the rules and dropped such a change on every delta after the first
of a run, with the whole suite passing. Only the public API and the registry are used here.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Iterator

import orjson
import pytest

from orvalidate import api
from orvalidate.model import Event, Problem
from orvalidate.protocol import DELTA_EVENTS, item_family
from orvalidate.rules import DOCS, EVENT_CHECKS, registry

from conftest import FIXTURES

DELTA_CHECKS = [c for c in EVENT_CHECKS if c.types is None or not c.types.isdisjoint(DELTA_EVENTS)]
BATCHED = [
    FIXTURES / "valid" / name for name in ("openai_text.sse", "openai_reasoning.sse", "openai_function_call.jsonl")
]


def _code(check) -> str:
    return next(code for code, documented in DOCS.items() if documented is check)


def _delta_count(path: Path) -> int:
    """Deltas in a capture, counted from its lines (not by the reader under test)."""
    count = 0
    for line in path.read_bytes().splitlines():
        line = line[6:] if line.startswith(b"data: ") else line
        if line.startswith(b"{") and orjson.loads(line).get("type") in DELTA_EVENTS:
            count += 1
    return count


def _with(check, changed, monkeypatch: pytest.MonkeyPatch) -> None:
    """Register `changed` in place of `check` (same name, types and declarations)."""
    functools.update_wrapper(changed, check)
    monkeypatch.setattr(registry, "EVENT_CHECKS", [changed if c is check else c for c in EVENT_CHECKS])
    monkeypatch.setattr(registry, "_BY_TYPE", {})


@pytest.mark.parametrize("check", DELTA_CHECKS, ids=lambda c: f"{_code(c)}-{c.__name__}")
def test_a_rule_that_reads_deltas_made_to_fire_on_one_more_condition_is_heard_on_every_delta(
    check, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mutant also fires on every delta of an item that was added: a condition that
    holds for the whole run, the opener included. Every delta must get it, batched or not."""
    code = _code(check)

    def changed(event: Event, ref, state) -> Iterator[Problem]:
        yield from check(event, ref, state)
        if event.payload is not None and ref.type in DELTA_EVENTS and state.item_for(event.payload) is not None:
            yield Problem(code, "mutant: a delta of an added item")

    _with(check, changed, monkeypatch)
    for path in BATCHED:
        findings = api.check_file(str(path), profile="openai").findings
        assert sum(f.message == "mutant: a delta of an added item" for f in findings) == _delta_count(path), path


def test_o004_changed_to_flag_items_without_a_type_is_heard_on_their_deltas(monkeypatch: pytest.MonkeyPatch) -> None:
    """The case that showed the old shortcut's flaw: O004 with one line changed (an item
    without a `type` is flagged too) was reported on the full path and dropped on deltas."""
    (check,) = [c for c in EVENT_CHECKS if c.__name__ == "item_type_mismatch"]

    def changed(event: Event, ref, state) -> Iterator[Problem]:
        if event.payload is None or ref.type is None:
            return
        family = item_family(ref.type)
        item = state.item_for(event.payload) if family else None
        if item is None or item.type in family:  # was: `item.type is None or item.type in family`
            return
        key = ("O004", ref.type.rsplit(".", 1)[0])
        if key not in item.reported:
            item.reported.add(key)
            yield Problem("O004", f"`{ref.type}` addresses an item without a type")

    _with(check, changed, monkeypatch)
    lines = (FIXTURES / "valid" / "openai_function_call.jsonl").read_bytes().splitlines(keepends=True)
    untyped = [
        line.replace(b'"type":"function_call",', b"", 1) if b"output_item.added" in line else line for line in lines
    ]
    assert untyped != lines
    findings = api.drain(api.check_stream(io.BytesIO(b"".join(untyped)), "x.jsonl", profile="openai")).findings
    # once per item and family, at its first event: the first delta, not the `.done` after them
    assert [f.event_type for f in findings if f.code == "O004"] == ["response.function_call_arguments.delta"]
