"""D: every delta run, part and item is closed by its `.done`, and the `.done`s agree.

On a stream that ends `incomplete` or `failed`, an item left open is one defect (D003, a
warning) and gets no D001, D002 or D006; with no terminal event at all, L002 alone says it.
"""

from __future__ import annotations

from typing import Iterator

from ..model import Event, EventRef, Problem
from ..helpers import short
from ..protocol import DONE_EVENTS, HOSTED_TOOLS
from ..state import TERMINAL, StreamState, kept, restored, same_text, signature
from .registry import on_close, on_event

_ITEM_DONE = "response.output_item.done"
_PART_DONE = ("response.content_part.done", "response.reasoning_summary_part.done")


def _first_difference(expected: str, found: str, names: tuple[str, str] = ("deltas give", "`.done` has")) -> str:
    """Where two texts first differ, with a short excerpt of each from a little before."""
    at = next((i for i, (a, b) in enumerate(zip(expected, found)) if a != b), min(len(expected), len(found)))
    start = max(0, at - 10)
    return (
        f"they first differ at character {at}: {names[0]} {short(expected[start : at + 30], 50)!r}, "
        f"{names[1]} {short(found[start : at + 30], 50)!r} (lengths {len(expected)} and {len(found)})"
    )


@on_event("D001", "D002", types=[_ITEM_DONE])
def missing_done_at_item_close(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """D001 missing-delta-done (error); D002 missing-part-done (error).

    D001: a run of `*.delta` events (output text, refusal, reasoning text, reasoning summary,
    function or MCP arguments, custom tool input, code, patch diff, shell command, audio) has
    no matching `*.done` by the time its item closes (or, for deltas that name no item, the
    stream ends). D002: a `content_part.added` or `reasoning_summary_part.added` has no
    matching part `.done` before `output_item.done`. Items that never close are D003.

    Fails:  content_part.added, output_text.delta "Hi", content_part.done, output_item.done  (no output_text.done)
    Passes: content_part.added, output_text.delta "Hi", output_text.done "Hi", content_part.done, output_item.done
    """
    if ref.type != _ITEM_DONE or event.payload is None:
        return
    index = event.payload.get("output_index")
    item = state.items.get(index) if type(index) is int else None
    if item is None or item.done is not None:
        return
    for run in item.runs.values():
        if run.deltas and not run.done and not state.unreadable:
            yield Problem(
                "D001",
                f"{run.deltas} `{run.kind.name}` delta{'s' if run.deltas > 1 else ''} of `{item.id}` "
                f"(first at line {run.first.span.line}) have no `.done` before its `output_item.done`",
                at=run.first,
            )
    for what, parts in (("content part", item.parts), ("summary part", item.summaries)):
        for part_index, part in sorted(parts.items()):
            if not part.done:
                yield Problem(
                    "D002",
                    f"{what} {part_index} of `{item.id}` (added at line {part.added.span.line}) has no `.done` "
                    "before its `output_item.done`",
                    at=part.added,
                )


@on_close("D001")
def missing_done_loose(state: StreamState) -> Iterator[Problem]:
    """D001 missing-delta-done, for delta runs that name no item (audio): see missing_done_at_item_close."""
    if state.terminal is None:
        return
    for run in state.loose_runs.values():
        if run.deltas and not run.done and not state.unreadable:
            yield Problem("D001", f"{run.deltas} `{run.kind.name}` deltas have no `.done`", at=run.first)


@on_event("D003", "D006", types=TERMINAL)
def terminal_checks(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """D003 missing-item-done (error when the stream ends completed, warning when incomplete or failed);
    D006 final-output-mismatch (warning).

    D003: every `output_item.added` has its `output_item.done` before the terminal event.
    D006: the terminal `response.output` lists the items of `output_item.done`, in
    output_index order (count, order, id, type, text), skipping items D003 reports. An absent
    `output` is not compared (L008 covers `completed`); an empty `[]` that contradicts the
    stream is D006.

    Fails:  output_item.added 0, ..., response.completed  (no output_item.done)
    Passes: output_item.added 0, ..., output_item.done 0, response.completed {output: [item 0]}
    """
    if ref.type not in TERMINAL or state.terminal is not None or event.payload is None:
        return
    severity = None if ref.type == "response.completed" else "warning"
    for index in sorted(state.open_items):
        item = state.items[index]
        yield Problem(
            "D003",
            f"{item.type or 'item'} `{item.id}` (output_index {index}) has no `output_item.done` before `{ref.type}`",
            at=item.added,
            severity=severity,
        )
    response = event.payload.get("response")
    output = response.get("output") if isinstance(response, dict) else None
    if not isinstance(output, list):
        return
    open_ids = {state.items[i].id for i in state.open_items}
    closed = {i: state.items[i] for i in state.items if state.items[i].done is not None}
    expected = [closed[i].final if i in closed else state.orphans[i] for i in sorted({*closed, *state.orphans})]
    found = [signature(o) for o in output]
    found = [s for s in found if s[0] not in open_ids or s[0] is None]
    if len(expected) != len(found):
        yield Problem(
            "D006",
            f"`{ref.type}` lists {len(found)} output item{'s' if len(found) != 1 else ''}, "
            f"but the stream finished {len(expected)} with `output_item.done`",
            json_path="$.response.output",
        )
        return
    for position, (held, got) in enumerate(zip(expected, found)):
        assert held is not None  # the items in `closed` are done, so they have their `final`
        if isinstance(got[2], str) and type(held[2]) is bytes and same_text(held[2], got[2]):
            held = (held[0], held[1], got[2])  # a long text, kept compressed, and the same
        want = restored(held)
        for field, a, b in (("id", want[0], got[0]), ("type", want[1], got[1]), ("text", want[2], got[2])):
            if a != b and not (field == "text" and (a is None or b is None)):
                detail = (
                    _first_difference(a, b, ("`output_item.done` has", f"`{ref.type}` has"))
                    if field == "text"
                    else f"`{short(a)}` in the stream, `{short(b)}` here"
                )
                yield Problem(
                    "D006",
                    f"`{ref.type}` output[{position}] differs from its `output_item.done` in {field}: {detail}",
                    json_path=f"$.response.output[{position}].{field if field != 'text' else 'content'}",
                )
                return


@on_event("D004", "D007", types=[_ITEM_DONE, *_PART_DONE, *DONE_EVENTS])
def done_text(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """D004 done-text-mismatch (warning); D007 duplicate-done (error).

    D004: the text a `.done` carries (text, refusal, arguments, reasoning, summary, code,
    input, diff) must equal the concatenation of its deltas: SDKs overwrite the accumulated
    text with it. Compared only when at least one delta arrived (a `.done` with no deltas is
    not a mismatch). The message shows where the texts first differ.
    D007: a `.done` arrives twice for the same target (delta run, content or summary part,
    or output item).

    Fails:  output_text.delta "Hel", output_text.delta "lo", output_text.done "Help"
    Passes: output_text.delta "Hel", output_text.delta "lo", output_text.done "Hello"
    """
    payload = event.payload
    if payload is None or ref.type is None:
        return
    if ref.type == _ITEM_DONE:
        index = payload.get("output_index")
        item = state.items.get(index) if type(index) is int else None
        if item is not None and item.done is not None:
            yield Problem(
                "D007",
                f"a second `output_item.done` for `{item.id}` (output_index {index}; the first at line {item.done.span.line})",
            )
        return
    if ref.type in _PART_DONE:
        item, field, part = state.closing_part(ref.type, payload)
        if part is not None and part.done:
            yield Problem("D007", f"a second `{ref.type}` for {field} {payload.get(field)} of `{item.id}`")  # type: ignore[union-attr]
        return
    kind = DONE_EVENTS.get(ref.type)
    if kind is None:
        return
    item, _, run = state.run_for(kind, payload)
    part = state.part_for(item, kind, payload)
    if part is not None and part.done:
        return  # O007: the part is already closed
    if run is None or (item is not None and item.done is not None):
        return
    if run.done:
        yield Problem(
            "D007", f"a second `{ref.type}` for the same {kind.name} of `{item.id if item else 'the stream'}`"
        )
        return
    text = payload.get(kind.done_field) if kind.done_field else None
    partial = state.unreadable or (item is not None and item.missed)  # some deltas went unread
    if run.deltas and isinstance(text, str) and not partial:
        if not run.equals(text):
            joined = run.text()
            yield Problem(
                "D004",
                f"`{ref.type}` {kind.done_field} differs from its {run.deltas} deltas; {_first_difference(joined, text)}",
                json_path=f"$.{kind.done_field}",
            )


def _part_text(part: dict) -> object:
    return part.get("text", part.get("refusal"))


@on_event("D005", types=[_ITEM_DONE, *_PART_DONE])
def part_done_mismatch(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """D005 part-done-mismatch (warning).

    `content_part.done.part` (and `reasoning_summary_part.done.part`) must agree with the
    `.done` text of its part, and with the same part in `output_item.done.item.content[i]`
    (or `.summary[i]`). Compares `type`, `text` (or `refusal`) and `annotations`; never
    `logprobs`.

    Fails:  output_text.done "Hello", content_part.done {part: {type output_text, text "Hell"}}
    Passes: output_text.done "Hello", content_part.done {part: {type output_text, text "Hello"}}
    """
    payload = event.payload
    if payload is None:
        return
    if ref.type in _PART_DONE:
        _, _, part = state.closing_part(ref.type, payload)
        final = payload.get("part")
        if part is None or part.done or part.text is None or not isinstance(final, dict):
            return
        text = _part_text(final)
        if isinstance(text, str) and not same_text(part.text, text):
            detail = _first_difference(kept(part.text), text, ("the text `.done` has", "the part has"))  # type: ignore[arg-type]
            yield Problem(
                "D005", f"`{ref.type}` part text differs from its `.done` text; {detail}", json_path="$.part.text"
            )
        return
    if ref.type != _ITEM_DONE:
        return
    index, final = payload.get("output_index"), payload.get("item")
    item = state.items.get(index) if type(index) is int else None
    if item is None or item.done is not None or not isinstance(final, dict):
        return
    for key, parts in (("content", item.parts), ("summary", item.summaries)):
        listed = final.get(key)
        if not isinstance(listed, list):
            continue
        for part_index, part in sorted(parts.items()):
            if part.final is None or part_index >= len(listed) or not isinstance(listed[part_index], dict):
                continue
            mine, theirs = part.final, listed[part_index]
            for field in ("type", "text", "annotations"):
                a = mine.get(field, mine.get("refusal")) if field == "text" else mine.get(field)
                b = theirs.get(field, theirs.get("refusal")) if field == "text" else theirs.get(field)
                if field == "text" and type(a) is bytes and isinstance(b, str) and same_text(a, b):
                    continue  # a long text, kept compressed, and the same
                a = kept(a) if field == "text" else a
                if a is not None and b is not None and a != b:
                    yield Problem(
                        "D005",
                        f"`output_item.done` {key}[{part_index}].{field} of `{item.id}` differs from its part `.done`: "
                        + (
                            _first_difference(a, b, ("the part `.done` has", "the item has"))
                            if field == "text" and isinstance(a, str) and isinstance(b, str)
                            else f"the part `.done` has {short(a)}, the item has {short(b)}"
                        ),
                        json_path=f"$.item.{key}[{part_index}].{field}",
                    )
                    break


@on_event("D008", types=[_ITEM_DONE])
def tool_call_incomplete(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """D008 tool-call-incomplete (warning).

    A hosted tool call (web_search_call, file_search_call, code_interpreter_call,
    image_generation_call, mcp_call, mcp_list_tools) closes with `output_item.done` without
    its `response.<tool>.completed` (or `.failed`) event; an item that arrives already
    completed without its events fires too.

    Fails:  output_item.added (web_search_call), output_item.done
    Passes: output_item.added (web_search_call), web_search_call.in_progress, .searching, .completed, output_item.done
    """
    if ref.type != _ITEM_DONE or event.payload is None:
        return
    index = event.payload.get("output_index")
    item = state.items.get(index) if type(index) is int else None
    if item is None or item.done is not None or item.type not in HOSTED_TOOLS or item.hosted_closed:
        return
    yield Problem("D008", f"{item.type} `{item.id}` closes without `{HOSTED_TOOLS[item.type]}completed`")
