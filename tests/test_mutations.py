"""Mutation tests: one known fault injected into a clean stream must be reported with its code.

Every valid capture in fixtures/valid/ (and a clean stream built here, so the test never
collects zero cases) is read, re-serialized as JSONL, and checked twice: untouched it gives no
finding but framing ones (JSONL has no SSE framing, so F010/F014/F015 may come and go), and
with each fault that fits it the fault's code is among the findings.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Callable

import pytest

import orvalidate
from orvalidate.model import Event
from orvalidate.protocol import DELTA_EVENTS, DONE_EVENTS
from orvalidate.reader import one_by_one, read
from streams import response

VALID = Path(__file__).resolve().parents[1] / "fixtures" / "valid"
TERMINAL = ("response.completed", "response.incomplete", "response.failed")

Events = list[dict]


# -- the bases ---------------------------------------------------------------------------------


def inline_base() -> Events:
    """A clean OpenAI stream with two items: a message, then a function call."""
    mid, fid, call = "msg_mut_0a1b2c3d4e5f", "fc_mut_6a7b8c9d0e1f", "call_mut_Zq4Wx8Lp2Rt6"
    chunks, args = ["Checking", " the", " weather", "."], ['{"city":', '"Faro"}']
    text, arguments = "".join(chunks), "".join(args)
    part = {"type": "output_text", "annotations": [], "text": text, "logprobs": []}
    message = {"id": mid, "type": "message", "status": "completed", "content": [part], "role": "assistant"}
    call_item = {
        "id": fid,
        "type": "function_call",
        "status": "completed",
        "arguments": arguments,
        "call_id": call,
        "name": "get_weather",
    }
    events: Events = [
        {"type": "response.created", "response": response("in_progress", [], None)},
        {"type": "response.in_progress", "response": response("in_progress", [], None)},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**message, "status": "in_progress", "content": []},
        },
        {
            "type": "response.content_part.added",
            "item_id": mid,
            "output_index": 0,
            "content_index": 0,
            "part": {**part, "text": ""},
        },
        *(
            {
                "type": "response.output_text.delta",
                "item_id": mid,
                "output_index": 0,
                "content_index": 0,
                "delta": c,
                "logprobs": [],
            }
            for c in chunks
        ),
        {
            "type": "response.output_text.done",
            "item_id": mid,
            "output_index": 0,
            "content_index": 0,
            "text": text,
            "logprobs": [],
        },
        {"type": "response.content_part.done", "item_id": mid, "output_index": 0, "content_index": 0, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": message},
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {**call_item, "status": "in_progress", "arguments": ""},
        },
        *(
            {"type": "response.function_call_arguments.delta", "item_id": fid, "output_index": 1, "delta": a}
            for a in args
        ),
        {"type": "response.function_call_arguments.done", "item_id": fid, "output_index": 1, "arguments": arguments},
        {"type": "response.output_item.done", "output_index": 1, "item": call_item},
        {
            "type": "response.completed",
            "response": response(
                "completed",
                [message, call_item],
                {
                    "input_tokens": 40,
                    "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens": 17,
                    "output_tokens_details": {"reasoning_tokens": 0},
                    "total_tokens": 57,
                },
            ),
        },
    ]
    for n, event in enumerate(events):
        event["sequence_number"] = n
    return events


def profile_for(name: str) -> str:
    if name.startswith("openrouter"):
        return "openrouter"
    if name.startswith("open_responses"):
        return "open-responses"
    return "openai"


def load(path: Path) -> Events:
    with open(path, "rb") as stream:
        _, records = read(stream, str(path))
        records = one_by_one(records)
        return [r.payload for r in records if isinstance(r, Event) and r.payload is not None]


BASES: dict[str, tuple[str, Events]] = {"inline_openai_two_items": ("openai", inline_base())}
for _path in sorted(p for p in VALID.glob("*") if p.suffix in (".sse", ".jsonl")) if VALID.is_dir() else ():
    BASES[_path.name] = (profile_for(_path.name), load(_path))


# -- the faults ----------------------------------------------------------------------------------
# Each takes a deep copy of a base and returns the mutated events, or None when it does not fit.


def _first(events: Events, test: Callable[[dict], bool]) -> int | None:
    return next((n for n, e in enumerate(events) if test(e)), None)


def _types(*names: str) -> Callable[[dict], bool]:
    return lambda e: e.get("type") in names


def _without(events: Events, n: int | None) -> Events | None:
    return None if n is None else events[:n] + events[n + 1 :]


def _terminal(events: Events) -> dict | None:
    n = _first(events, _types(*TERMINAL))
    return None if n is None else events[n]


def _usage(events: Events) -> dict | None:
    terminal = _terminal(events)
    usage = terminal["response"].get("usage") if terminal else None
    return usage if isinstance(usage, dict) else None


def _has_deltas_before(events: Events, n: int) -> bool:
    done = events[n]
    base = done["type"].rsplit(".", 1)[0]
    return any(
        e.get("type") == base + ".delta" and e.get("output_index") == done.get("output_index") for e in events[:n]
    )


def _delta_done(events: Events) -> int | None:
    """The first output_text.done after deltas, else the first other delta run `.done` after deltas."""
    for wanted in (lambda t: t == "response.output_text.done", lambda t: t in DONE_EVENTS):
        for n, e in enumerate(events):
            if wanted(e.get("type")) and DONE_EVENTS[e["type"]].done_field and _has_deltas_before(events, n):
                return n
    return None


def drop_delta_done(events: Events) -> Events | None:
    return _without(events, _delta_done(events))


def drop_part_done(events: Events) -> Events | None:
    n = _first(events, _types("response.content_part.done"))
    if n is None:
        n = _first(events, _types("response.reasoning_summary_part.done"))
    return _without(events, n)


def drop_item_done(events: Events) -> Events | None:
    return _without(events, _first(events, _types("response.output_item.done")))


def _middle(events: Events) -> int:
    return len(events) // 2


def swap_sequence_numbers(events: Events) -> Events | None:
    n = _middle(events)
    a, b = events[n], events[n + 1]
    if not isinstance(a.get("sequence_number"), int) or not isinstance(b.get("sequence_number"), int):
        return None
    a["sequence_number"], b["sequence_number"] = b["sequence_number"], a["sequence_number"]
    return events


def delete_middle_event(events: Events) -> Events | None:
    return _without(events, _middle(events))


def change_token_count(events: Events) -> Events | None:
    usage = _usage(events)
    if usage is None or not isinstance(usage.get("total_tokens"), int):
        return None
    usage["total_tokens"] += 1
    return events


def cached_exceeds_input(events: Events) -> Events | None:
    usage = _usage(events)
    if usage is None or not isinstance(usage.get("input_tokens"), int):
        return None
    usage["input_tokens_details"] = {
        **(usage.get("input_tokens_details") or {}),
        "cached_tokens": usage["input_tokens"] + 5,
    }
    return events


def rename_delta_item_id(events: Events) -> Events | None:
    n = _first(events, lambda e: e.get("type") in DELTA_EVENTS and isinstance(e.get("item_id"), str))
    if n is None:
        return None
    events[n]["item_id"] += "_renamed"
    return events


def change_done_text(events: Events) -> Events | None:
    n = _delta_done(events)
    if n is None:
        return None
    field = DONE_EVENTS[events[n]["type"]].done_field
    events[n][field] += " (edited)"
    return events


def duplicate_item_done(events: Events) -> Events | None:
    n = _first(events, _types("response.output_item.done"))
    if n is None:
        return None
    return events[: n + 1] + [copy.deepcopy(events[n])] + events[n + 1 :]


def drop_created(events: Events) -> Events | None:
    return _without(events, _first(events, _types("response.created")))


def drop_terminal(events: Events) -> Events | None:
    return _without(events, _first(events, _types(*TERMINAL)))


def remove_one_sequence_number(events: Events) -> Events | None:
    events[_middle(events)].pop("sequence_number", None)
    return events


def change_terminal_response_id(events: Events) -> Events | None:
    terminal = _terminal(events)
    if terminal is None:
        return None
    terminal["response"]["id"] += "x"
    return events


def terminal_status_in_progress(events: Events) -> Events | None:
    terminal = _terminal(events)
    if terminal is None:
        return None
    terminal["response"]["status"] = "in_progress"
    return events


def bump_second_item_index(events: Events) -> Events | None:
    added = [e for e in events if e.get("type") == "response.output_item.added"]
    if len(added) < 2:
        return None
    added[1]["output_index"] += 1
    return events


def change_item_done_type(events: Events) -> Events | None:
    n = _first(events, _types("response.output_item.done"))
    if n is None:
        return None
    item = events[n]["item"]
    item["type"] = "reasoning" if item["type"] != "reasoning" else "message"
    return events


def remove_completed_usage(events: Events) -> Events | None:
    n = _first(events, _types("response.completed"))
    if n is None:
        return None
    events[n]["response"].pop("usage", None)
    return events


def unknown_type(events: Events) -> Events | None:
    n = _first(events, _types("response.in_progress"))
    if n is None:
        return None
    events[n]["type"] = "response.progress_ping"
    return events


def output_index_string(events: Events) -> Events | None:
    n = _first(events, lambda e: e.get("type") in DELTA_EVENTS and isinstance(e.get("output_index"), int))
    if n is None:
        return None
    events[n]["output_index"] = str(events[n]["output_index"])
    return events


FAULTS: dict[str, tuple[Callable[[Events], Events | None], str]] = {
    "drop-delta-done": (drop_delta_done, "D001"),
    "drop-part-done": (drop_part_done, "D002"),
    "drop-item-done": (drop_item_done, "D003"),
    "swap-sequence-numbers": (swap_sequence_numbers, "Q003"),
    "delete-middle-event": (delete_middle_event, "Q002"),
    "change-token-count": (change_token_count, "U001"),
    "cached-exceeds-input": (cached_exceeds_input, "U002"),
    "rename-delta-item-id": (rename_delta_item_id, "O003"),
    "change-done-text": (change_done_text, "D004"),
    "duplicate-item-done": (duplicate_item_done, "D007"),
    "drop-created": (drop_created, "L001"),
    "drop-terminal": (drop_terminal, "L002"),
    "remove-one-sequence-number": (remove_one_sequence_number, "Q004"),
    "change-terminal-response-id": (change_terminal_response_id, "L004"),
    "terminal-status-in-progress": (terminal_status_in_progress, "L005"),
    "bump-second-item-index": (bump_second_item_index, "O002"),
    "change-item-done-type": (change_item_done_type, "O009"),
    "remove-completed-usage": (remove_completed_usage, "L008"),
    "unknown-type": (unknown_type, "S002"),
    "output-index-string": (output_index_string, "S001"),
}


def _cases():
    for base, (profile, events) in BASES.items():
        for fault, (mutate, code) in FAULTS.items():
            mutated = mutate(copy.deepcopy(events))
            if mutated is not None:
                yield pytest.param(profile, mutated, code, id=f"{base}-{fault}")


CASES = list(_cases())


# -- the tests -----------------------------------------------------------------------------------


def check(events: Events, profile: str, tmp_path: Path) -> list:
    path = tmp_path / "capture.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    return orvalidate.validate_path(path, profile=profile).findings


@pytest.mark.parametrize("base", list(BASES))
def test_unmutated_base_is_clean(base: str, tmp_path: Path) -> None:
    profile, events = BASES[base]
    findings = [f for f in check(events, profile, tmp_path) if not f.code.startswith("F")]
    assert findings == []


@pytest.mark.parametrize(("profile", "events", "code"), CASES)
def test_fault_is_reported(profile: str, events: Events, code: str, tmp_path: Path) -> None:
    codes = [f.code for f in check(events, profile, tmp_path)]
    assert code in codes


def test_every_fault_applies_somewhere() -> None:
    for fault in FAULTS:
        assert any(case.id.endswith("-" + fault) for case in CASES), f"{fault} fits no base"


def test_the_valid_fixtures_are_bases() -> None:
    """Guard against a silent fallback: each valid capture on disk is a base with events."""
    on_disk = {p.name for p in VALID.glob("*") if p.suffix in (".sse", ".jsonl")} if VALID.is_dir() else set()
    assert on_disk <= set(BASES)
    assert all(len(events) >= 3 for _, events in BASES.values())
