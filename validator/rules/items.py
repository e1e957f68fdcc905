"""O: output items and their parts are announced before use, indexed in order, and consistent.

Items are keyed by `output_index`: a provider that rotates item ids gives O003 once per item
for its events, not one per event; the item itself changing id is still O009 (and a final
output naming other ids, D006).
"""

from __future__ import annotations

from typing import Iterator

from ..model import Event, EventRef, Problem
from ..helpers import short
from ..protocol import CALL_ITEMS, DELTA_EVENTS, DONE_EVENTS, PART_INDEX, item_family
from ..state import StreamState
from .registry import on_event

_ADDED = "response.output_item.added"
_DONE = "response.output_item.done"
_PART_ADDED = {
    "response.content_part.added": "content_index",
    "response.reasoning_summary_part.added": "summary_index",
    "response.output_text.annotation.added": "annotation_index",
}
_PART_ADDED_TYPES = tuple(_PART_ADDED)


def _describe(item) -> str:
    return f"{item.type or 'item'} `{item.id}` (output_index {item.index})"


@on_event("O001", reads=["type", "output_index", "item_id"])
def unknown_output_item(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O001 unknown-output-item (error under every profile).

    An event names an `output_index` (or, with no index, an `item_id`) before the
    `response.output_item.added` that announces it; the SDK accumulators fail with "received a
    content event for output index N before receiving its output item". An event whose index is
    known but whose `item_id` is not that item's id is O003 instead. Reported once per unknown
    index or id, at its first event.

    Fails:  response.created, response.output_text.delta (output_index 0), ...
    Passes: response.created, response.output_item.added (output_index 0), response.output_text.delta, ...
    """
    payload = event.payload
    if payload is None or ref.type in (_ADDED, _DONE):
        return  # output_item.done names its index itself: O009 or O001 in item_changed
    index = payload.get("output_index")
    if type(index) is int:
        if index in state.items:
            return
        key = ("O001", index)
        if key in state.reported:
            return
        state.reported.add(key)
        item_id = payload.get("item_id")
        named = f" (item_id `{short(item_id)}`)" if isinstance(item_id, str) else ""
        yield Problem(
            "O001",
            f"`{ref.type}` names output_index {index}{named} before any `response.output_item.added` for it",
            json_path="$.output_index",
        )
        return
    item_id = payload.get("item_id")
    if "output_index" not in payload and isinstance(item_id, str) and item_id not in state.ids:
        id_key = ("O001", item_id)
        if id_key not in state.reported:
            state.reported.add(id_key)
            yield Problem(
                "O001",
                f"`{ref.type}` names item_id `{short(item_id)}` before any `response.output_item.added` for it",
                json_path="$.item_id",
            )


@on_event("O002", types=[_ADDED])
def output_index_order(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O002 output-index-order (error under every profile).

    `response.output_item.added` events carry output_index 0, 1, 2, ... in order, each once:
    clients append items to a list and index into it.

    Fails:  output_item.added with output_index 0, then 2
    Passes: output_item.added with output_index 0, then 1
    """
    if ref.type != _ADDED or event.payload is None:
        return
    index = event.payload.get("output_index")
    if type(index) is not int:
        return
    if index in state.items:
        yield Problem(
            "O002",
            f"output_index {index} is added a second time (first at line {state.items[index].added.span.line})",
            json_path="$.output_index",
        )
    elif index != state.next_index:
        yield Problem(
            "O002",
            f"`response.output_item.added` has output_index {index}, expected {state.next_index}",
            json_path="$.output_index",
        )


@on_event("O003", reads=["type", "output_index", "item_id"])
def item_id_mismatch(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O003 item-id-mismatch (error under every profile).

    An event's `item_id` must be the id of the item at its `output_index`. Reported once per
    item: a provider that rotates ids (a new id per event) is one defect.
    `output_item.done` with another id is O009.

    Fails:  output_item.added {output_index 0, item.id "msg_1"}, output_text.delta {output_index 0, item_id "msg_2"}
    Passes: output_item.added {output_index 0, item.id "msg_1"}, output_text.delta {output_index 0, item_id "msg_1"}
    """
    payload = event.payload
    if payload is None or ref.type in (_ADDED, _DONE):
        return
    index, item_id = payload.get("output_index"), payload.get("item_id")
    item = state.items.get(index) if type(index) is int else None
    if item is None or not isinstance(item_id, str) or item_id == item.id or "O003" in item.reported:
        return
    item.reported.add("O003")
    yield Problem(
        "O003",
        f"`{ref.type}` has item_id `{short(item_id)}` but the item at output_index {index} is `{item.id}` "
        "(further mismatches for this item are not reported)",
        json_path="$.item_id",
    )


@on_event("O004", reads=["type", "output_index", "item_id"])
def item_type_mismatch(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O004 item-type-mismatch (error under every profile).

    The event family must fit the item it addresses: text, refusal and annotations go to a
    `message`; function call arguments to a `function_call`; reasoning text and summaries to a
    `reasoning` item; `response.web_search_call.*` to a `web_search_call`; and so on. Reported
    once per item and event family.

    Fails:  output_item.added {item.type "function_call"}, response.output_text.delta on it
    Passes: output_item.added {item.type "message"}, response.content_part.added, response.output_text.delta
    """
    if event.payload is None or ref.type is None:
        return
    family = item_family(ref.type)
    item = state.item_for(event.payload) if family else None
    if item is None or family is None or item.type is None or item.type in family:
        return
    key = ("O004", ref.type.rsplit(".", 1)[0])
    if key in item.reported:
        return
    item.reported.add(key)
    wanted = " or ".join(f"`{t}`" for t in sorted(family))
    yield Problem("O004", f"`{ref.type}` addresses {_describe(item)}, but it belongs to a {wanted} item")


@on_event("O005", types=[_ADDED])
def duplicate_item_id(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O005 duplicate-item-id (error under every profile).

    Two output items share an `id`, or two call items of the same type share a `call_id`.
    An output item such as `function_call_output` may carry its call's `call_id`: call ids
    are compared only among items of one call type.

    Fails:  output_item.added {output_index 0, id "fc_1"}, output_item.added {output_index 1, id "fc_1"}
    Passes: output_item.added {output_index 0, id "fc_1"}, output_item.added {output_index 1, id "fc_2"}
    """
    if ref.type != _ADDED or event.payload is None:
        return
    index, item = event.payload.get("output_index"), event.payload.get("item")
    if type(index) is not int or not isinstance(item, dict):
        return
    item_id, call_id, kind = item.get("id"), item.get("call_id"), item.get("type")
    if isinstance(item_id, str) and state.ids.get(item_id, index) != index:
        yield Problem(
            "O005",
            f"item id `{short(item_id)}` at output_index {index} is already the id of output_index {state.ids[item_id]}",
            json_path="$.item.id",
        )
    if kind in CALL_ITEMS and isinstance(call_id, str) and state.call_ids.get((kind, call_id), index) != index:
        yield Problem(
            "O005",
            f"call_id `{short(call_id)}` of {kind} at output_index {index} is already used by output_index {state.call_ids[(kind, call_id)]}",
            json_path="$.item.call_id",
        )


@on_event("O006", types=_PART_ADDED_TYPES)
def part_index_order(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O006 part-index-order (error under every profile).

    Within an item, `content_part.added` carries content_index 0, 1, 2, ...; within a
    reasoning item `reasoning_summary_part.added` carries summary_index 0, 1, 2, ...; within a
    content part `output_text.annotation.added` carries annotation_index 0, 1, 2, ...

    Fails:  content_part.added {content_index 1} as the item's first part
    Passes: content_part.added {content_index 0}, then {content_index 1}
    """
    payload = event.payload
    if payload is None or ref.type not in _PART_ADDED:
        return
    item = state.item_for(payload)
    if item is None:
        return
    field = _PART_ADDED[ref.type]
    index = payload.get(field)
    if type(index) is not int:
        return
    if field == "annotation_index":
        content = payload.get("content_index")
        part = item.parts.get(content) if type(content) is int else None
        expected = part.annotations if part is not None else None
        where = f"content part {payload.get('content_index')} of {_describe(item)}"
    else:
        parts = item.parts if field == "content_index" else item.summaries
        expected = len(parts) if index not in parts else None
        where = _describe(item)
        if index in parts:
            yield Problem("O006", f"{field} {index} of {where} is added a second time", json_path=f"$.{field}")
            return
    if expected is not None and index != expected:
        yield Problem(
            "O006", f"`{ref.type}` has {field} {index} in {where}, expected {expected}", json_path=f"$.{field}"
        )


@on_event("O007", "O008", reads=["type", "output_index", "item_id", PART_INDEX])
def part_not_open(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O007 part-not-open (error); O008 part-type-mismatch (error).

    O007: a text delta or `.done` (output_text, refusal, reasoning_text, reasoning summary),
    or a part `.done`, for a content or summary part that was never added or is already done:
    text must live inside a part that is open (R12, R13).
    O008: the delta kind must fit the part type: `output_text.delta` into an `output_text`
    part, `refusal.delta` into a `refusal` part, `reasoning_text.delta` into `reasoning_text`.

    Fails:  output_item.added (message), response.output_text.delta {content_index 0}  (no content_part.added)
    Passes: output_item.added, content_part.added {content_index 0, part.type output_text}, output_text.delta
    """
    payload = event.payload
    if payload is None or ref.type is None:
        return
    kind = DELTA_EVENTS.get(ref.type) or DONE_EVENTS.get(ref.type)
    closes_part = ref.type in ("response.content_part.done", "response.reasoning_summary_part.done")
    if (kind is None or kind.part_type is None) and not closes_part:
        return
    item = state.item_for(payload)
    family = item_family(ref.type)
    if item is None or (item.type is not None and family and item.type not in family):
        return  # O001 or O004 says it
    if closes_part or kind is None:
        _, field, part = state.closing_part(ref.type, payload)
    else:
        field, part = kind.part_index or "", state.part_for(item, kind, payload)
    index = payload.get(field)
    if type(index) is not int:
        return
    what = "summary part" if field == "summary_index" else "content part"
    if item.done is not None:
        yield Problem("O007", f"`{ref.type}` for {what} {index} of {_describe(item)} after its `output_item.done`")
    elif part is None:
        yield Problem(
            "O007",
            f"`{ref.type}` for {what} {index} of {_describe(item)}, which was never added",
            json_path=f"$.{field}",
        )
    elif part.done and not closes_part:
        yield Problem(
            "O007",
            f"`{ref.type}` for {what} {index} of {_describe(item)} after its part `.done` (line {part.added.span.line} added it)",
        )
    elif kind is not None and not closes_part and part.type is not None and part.type != kind.part_type:
        yield Problem(
            "O008",
            f"`{ref.type}` writes into {what} {index} of {_describe(item)}, whose type is `{part.type}`, not `{kind.part_type}`",
        )


@on_event("O009", "O010", types=[_DONE])
def item_changed(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O009 item-changed (error); O010 item-status (warning).

    O009: `output_item.done` must carry the same output_index, `id` and `type` as its
    `output_item.added` (fields such as `encrypted_content` may change).
    O010: the `status` of a finished item, when it has one, is `completed` or `incomplete`.

    Fails:  output_item.added {0, id "msg_1", message}, output_item.done {0, id "msg_9", message}
    Passes: output_item.added {0, id "msg_1", message}, output_item.done {0, id "msg_1", message, status "completed"}
    """
    if ref.type != _DONE or event.payload is None:
        return
    index, final = event.payload.get("output_index"), event.payload.get("item")
    if type(index) is not int or not isinstance(final, dict):
        return
    item = state.items.get(index)
    final_id, final_type = final.get("id"), final.get("type")
    if item is None:
        if isinstance(final_id, str) and final_id in state.ids:
            yield Problem(
                "O009",
                f"`output_item.done` for `{final_id}` has output_index {index}, but it was added at output_index {state.ids[final_id]}",
                json_path="$.output_index",
            )
        elif ("O001", index) not in state.reported:
            state.reported.add(("O001", index))
            yield Problem(
                "O001",
                f"`output_item.done` for output_index {index} without its `response.output_item.added`",
                json_path="$.output_index",
            )
        return
    if final_id != item.id:  # also when ids rotate: O003 said it of the item's events, this is the item
        yield Problem(
            "O009",
            f"`output_item.done` at output_index {index} has id `{short(final_id)}`, but the item was added as `{item.id}`",
            json_path="$.item.id",
        )
    if final_type != item.type:
        yield Problem(
            "O009",
            f"`output_item.done` at output_index {index} has type `{short(final_type)}`, but the item was added as `{item.type}`",
            json_path="$.item.type",
        )
    status = final.get("status")
    if isinstance(status, str) and status not in ("completed", "incomplete"):
        yield Problem(
            "O010",
            f"{_describe(item)} finishes with status `{short(status)}`, expected `completed` or `incomplete`",
            json_path="$.item.status",
        )


@on_event("O011", types=[_ADDED])
def interleaved_items(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """O011 interleaved-items (warning under openai, off otherwise).

    OpenAI finishes items one at a time in output_index order: an `output_item.added` that
    arrives while a lower-indexed item is still open interleaves them (OpenRouter does this,
    which is why the rule is off for it). One finding per such `output_item.added`.

    Fails:  output_item.added 0, output_item.added 1, output_item.done 0, output_item.done 1
    Passes: output_item.added 0, output_item.done 0, output_item.added 1, output_item.done 1
    """
    if ref.type != _ADDED or event.payload is None:
        return
    index = event.payload.get("output_index")
    if type(index) is not int:
        return
    lower = sorted(i for i in state.open_items if i < index)
    if lower:
        yield Problem("O011", f"output_index {index} starts while {_describe(state.items[lower[0]])} is still open")
