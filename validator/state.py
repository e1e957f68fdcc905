"""The model of one stream as it unfolds, updated once per event; rules read it, never copy it.

Rules see each event with the state as it was *before* that event, then the engine calls
`update`. Closing rules see the state after the last event.

Plain classes, not dataclasses: building a dataclass at import adds to the start-up.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from .model import Event, EventRef, Span
from .protocol import DELTA_EVENTS, DONE_EVENTS, HOSTED_TOOLS, DeltaKind

LIFECYCLE = frozenset(
    {
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.completed",
        "response.incomplete",
        "response.failed",
    }
)
TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})


class Options:
    """What the user asked for that rules must know."""

    __slots__ = ("profile", "strict", "starting_after")

    def __init__(self, profile: str | None = None, strict: bool = False, starting_after: int | None = None) -> None:
        self.profile = profile  # None while `auto` has not decided
        self.strict = strict
        self.starting_after = starting_after  # this stream resumes after sequence number N


class Part:
    """A content part (`content_part.added`) or a reasoning summary part."""

    __slots__ = ("type", "added", "done", "annotations", "text", "final")

    def __init__(self, type: str | None, added: EventRef) -> None:
        self.type = type
        self.added = added
        self.done = False  # its `content_part.done` / `reasoning_summary_part.done` arrived
        self.annotations = 0  # `annotation.added` events seen for it
        self.text: str | bytes | None = None  # the text of its `<kind>.done`, once that arrived (`keep`)
        self.final: dict | None = (
            None  # the `part` of its part `.done` (its text through `keep`), until the item closes
        )


PLAIN_TEXT = 1 << 20  # characters of a run kept as they are; later batches are kept compressed
BATCH = 1024  # deltas joined into one block


class Run:
    """The `*.delta` events of one target (kind, item, part) and whether its `.done` came."""

    __slots__ = ("kind", "first", "keeps_text", "pieces", "blocks", "size", "deltas", "done")

    def __init__(self, kind: DeltaKind, first: EventRef) -> None:
        self.kind = kind
        self.first = first
        self.keeps_text = bool(kind.done_field)  # its `.done` repeats the text: D004 compares them
        self.pieces: list[str] = []  # the latest deltas
        self.blocks: list = []  # earlier deltas, joined a batch at a time (str or zlib bytes)
        self.size = 0  # characters in blocks
        self.deltas = 0
        self.done = False

    def add_all(self, deltas: Sequence[Any]) -> None:
        """Count delta events (their `delta` fields, whatever they hold) and keep their texts
        when the run's `.done` repeats them. Texts are joined a batch at a time, so 800,000
        short deltas cost their text, not 800,000 string objects. Past PLAIN_TEXT characters
        a batch is kept compressed: the `.done` of a long answer is parsed while its deltas
        are held, and that moment sets the peak memory of a long capture."""
        self.deltas += len(deltas)
        if not self.keeps_text:
            return
        pieces = self.pieces
        for delta in deltas:
            if type(delta) is str:
                pieces.append(delta)
        if len(pieces) >= BATCH:
            block = "".join(pieces)
            self.pieces = []
            self.size += len(block)
            self.blocks.append(_pack(block) if self.size > PLAIN_TEXT else block)

    def _texts(self) -> Iterator[str]:
        for block in self.blocks:
            yield block if type(block) is str else _unpack(block)
        if self.pieces:  # fewer than BATCH: joined, they are compared in one call, not one each
            yield "".join(self.pieces)

    def text(self) -> str:
        return "".join(self._texts())

    def equals(self, text: str) -> bool:
        """Is `text` what the deltas say? Compared piece by piece: joining the deltas of a
        long answer would hold its text twice."""
        at = 0
        for block in self._texts():
            if not text.startswith(block, at):
                return False
            at += len(block)
        return at == len(text)

    def forget(self) -> None:
        self.pieces, self.blocks, self.size = [], [], 0


def keep(text: str | None) -> str | bytes | None:
    """A text the state holds for a later comparison: a long one compressed (see Run.add)."""
    return _pack(text) if text is not None and len(text) > PLAIN_TEXT else text


def kept(value: str | bytes | None) -> str | None:
    """The text `keep` was given."""
    return _unpack(value) if type(value) is bytes else value  # type: ignore[return-value]


def same_text(held: str | bytes | None, text: str) -> bool:
    """Is `text` the text `keep` made `held`? A compressed one is compared compressed
    (compression is deterministic), so the comparison does not unpack a second copy."""
    if type(held) is bytes:
        return len(text) > PLAIN_TEXT and _pack(text) == held
    return held == text


def _pack(text: str) -> bytes:
    import zlib

    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def _unpack(data: bytes) -> str:
    import zlib

    return zlib.decompress(data).decode("utf-8", "surrogatepass")


class Item:
    """One output item, from its `output_item.added` to its `output_item.done`."""

    __slots__ = (
        "index",
        "id",
        "type",
        "added",
        "call_id",
        "done",
        "parts",
        "summaries",
        "runs",
        "hosted_closed",
        "missed",
        "final",
        "reported",
    )

    def __init__(
        self, index: int, id: str | None, type: str | None, added: EventRef, call_id: str | None = None
    ) -> None:
        self.index = index
        self.id = id
        self.type = type
        self.added = added
        self.call_id = call_id
        self.done: EventRef | None = None
        self.parts: dict[int, Part] = {}
        self.summaries: dict[int, Part] = {}
        self.runs: dict[tuple, Run] = {}
        self.hosted_closed = False  # its `*.completed` or `*.failed` event arrived
        self.missed = False  # events named it before its `output_item.added`: its texts are partial
        self.final: tuple | None = None  # (id, type, kept text) of `output_item.done`, for D006 (`kept_signature`)
        self.reported: set = set()  # codes already reported about this item


def item_text(item: Any) -> str | None:
    """The text of an item as D006 compares it: its output_text and refusal parts joined."""
    if not isinstance(item, dict) or not isinstance(item.get("content"), list):
        return None
    texts = []
    for part in item["content"]:
        if isinstance(part, dict):
            text = part.get("text", part.get("refusal"))
            if isinstance(text, str):
                texts.append(text)
    return "".join(texts)


def _text(value: Any) -> str | None:
    """A field that must be a string, or None: ids and types from a capture key dicts and sets."""
    return value if isinstance(value, str) else None


def signature(item: Any) -> tuple:
    """What D006 compares of an item: id, type and text."""
    if not isinstance(item, dict):
        return (None, None, None)
    return (_text(item.get("id")), _text(item.get("type")), item_text(item))


def kept_signature(item: Any) -> tuple:
    """`signature` as the state holds it until the terminal event (its text through `keep`)."""
    item_id, kind, text = signature(item)
    return (item_id, kind, keep(text))


def restored(held: tuple) -> tuple:
    """A `kept_signature` as `signature` gave it."""
    return (held[0], held[1], kept(held[2]))


class StreamState:
    """Everything the rules know of one stream so far."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options if options is not None else Options()
        self.events: int = 0
        self.first: EventRef | None = None
        self.last: EventRef | None = None
        self.last_opaque: bool = False  # the last event could not be decoded (F002/F012)

        # sequence numbers
        self.seq_last: int | None = None
        self.seq_relaxed: bool = False  # an undecodable event since seq_last: a jump is not a gap
        self.seq_missing: int = 0
        self.seq_missing_first: EventRef | None = None

        # lifecycle
        self.response_id: str | None = None
        self.status: str | None = None
        self.terminal: EventRef | None = None
        self.after_terminal: EventRef | None = None

        # framing
        self.done: Span | None = None  # where `data: [DONE]` was
        self.after_done: EventRef | None = None
        self.no_event_field: int = 0
        self.no_event_field_first: EventRef | None = None
        self.openrouter_marker: str | None = None  # what showed this stream is OpenRouter's

        # lifecycle details
        self.created: bool = False
        self.early_progress: EventRef | None = None  # in_progress/queued before any created
        self.output_began: bool = False
        self.pending_error: EventRef | None = None  # an `error` event not yet followed by failed
        self.usage: dict | None = None  # the last usage figures seen on a lifecycle event

        # output items
        self.items: dict[int, Item] = {}
        self.ids: dict[str, int] = {}
        self.call_ids: dict[tuple, int] = {}
        self.open_items: set = set()
        self.next_index: int = 0
        self.loose_runs: dict[tuple, Run] = {}  # deltas that name no item
        self.orphans: dict[int, tuple] = {}  # output_item.done never added, for D006
        self.early: set = set()  # output indexes and ids named before their added
        self.unreadable: int = 0  # events the rules could not read (F002, F012, F011): texts may miss parts
        self.reported: set = set()  # stream-level codes reported once

    def item_for(self, payload: dict) -> Item | None:
        """The item an event addresses: by `output_index`, else by `item_id`."""
        index = payload.get("output_index")
        if type(index) is int:
            return self.items.get(index)
        item_id = payload.get("item_id")
        if isinstance(item_id, str) and item_id in self.ids:
            return self.items.get(self.ids[item_id])
        return None

    @staticmethod
    def run_key(kind: DeltaKind, payload: dict) -> tuple:
        """Which run of its item a delta or `.done` event belongs to: its kind and part."""
        index = payload.get(kind.part_index) if kind.part_index else None
        return (kind.name, index if type(index) is int else None)

    def run_for(self, kind: DeltaKind, payload: dict) -> tuple[Item | None, tuple, Run | None]:
        """(item, run key, run) of a delta or `.done` event."""
        key = self.run_key(kind, payload)
        item = self.item_for(payload)
        runs = item.runs if item is not None else self.loose_runs
        return item, key, runs.get(key)

    def update(self, event: Event, ref: EventRef) -> None:
        self.events += 1
        if self.first is None:
            self.first = ref
        self.last = ref
        payload = event.payload
        self.last_opaque = payload is None
        if self.done is not None and self.after_done is None:
            self.after_done = ref
        if not event.has_event_field:
            self.no_event_field += 1
            self.no_event_field_first = self.no_event_field_first or ref
        for _, text in event.comments:
            self.note_comment(text)
        if payload is None:
            self.seq_relaxed = True
            self.unreadable += 1
            return
        seq = payload.get("sequence_number")
        if type(seq) is int:
            self.seq_last = seq
            self.seq_relaxed = False
        else:  # no usable number: the next jump may be this event's, so it is not a gap
            self.seq_relaxed = True
            if seq is None and not event.sdk_cased:
                self.seq_missing += 1
                self.seq_missing_first = self.seq_missing_first or ref
        if event.sdk_cased:
            self.unreadable += 1
        if self.terminal is not None and self.after_terminal is None:
            self.after_terminal = ref
        kind = ref.type
        if kind in LIFECYCLE:
            response = payload.get("response")
            if isinstance(response, dict):
                if self.response_id is None and isinstance(response.get("id"), str):
                    self.response_id = response["id"]
                if isinstance(response.get("status"), str):
                    self.status = response["status"]
                usage = response.get("usage")
                if isinstance(usage, dict) and ("cost" in usage or "is_byok" in usage):
                    self.openrouter_marker = self.openrouter_marker or "usage.cost"
            if kind in TERMINAL and self.terminal is None:
                self.terminal = ref
            if kind == "response.created":
                self.created = True
            elif kind in ("response.in_progress", "response.queued") and not self.created:
                self.early_progress = self.early_progress or ref
            elif kind == "response.failed":
                self.pending_error = None
            if isinstance(response, dict) and isinstance(response.get("usage"), dict):
                self.usage = response["usage"]
        elif kind == "error":
            self.pending_error = ref
        elif kind is not None and not event.sdk_cased:
            self._track(kind, payload, ref)

    def extend_run(self, run: Run, deltas: Sequence[Any], last: EventRef) -> None:
        """`update` for the next deltas of the run the last event went into (fastpath.HotRun),
        `last` the last of them: only the counters and the run change."""
        self.events += len(deltas)
        self.last = last
        self.seq_last = last.sequence_number
        run.add_all(deltas)

    def _track(self, kind: str, payload: dict, ref: EventRef) -> None:
        """Follow output items, their parts and delta runs."""
        if kind == "response.output_item.added":
            index, item = payload.get("output_index"), payload.get("item")
            if type(index) is not int or not isinstance(item, dict):
                return
            self.output_began = True
            entry = Item(index, _text(item.get("id")), _text(item.get("type")), ref, call_id=_text(item.get("call_id")))
            entry.missed = index in self.early or entry.id in self.early
            if index not in self.items:
                self.items[index] = entry
            if isinstance(entry.id, str):
                self.ids.setdefault(entry.id, index)
            if isinstance(entry.call_id, str):
                self.call_ids.setdefault((entry.type, entry.call_id), index)
            self.open_items.add(index)
            self.next_index = max(self.next_index, index + 1)
            return
        item = self.item_for(payload)
        if item is None and kind == "response.output_item.done":
            final_id = payload.get("item", {}).get("id") if isinstance(payload.get("item"), dict) else None
            if isinstance(final_id, str) and final_id in self.ids:
                item = self.items[self.ids[final_id]]  # done at another index: O009 says so once
        if item is None and ("output_index" in payload or "item_id" in payload):
            # an event for an item not (yet) added: O001 reports it; its text is not followed
            index = payload.get("output_index")
            self.early.add(index if type(index) is int else _text(payload.get("item_id")))
            if kind == "response.output_item.done" and type(payload.get("output_index")) is int:
                self.orphans[payload["output_index"]] = kept_signature(payload.get("item"))
            return
        if kind in DELTA_EVENTS:
            kind_info = DELTA_EVENTS[kind]
            self._open_run(kind_info, payload, item, ref).add_all((payload.get("delta"),))
            return
        if kind in DONE_EVENTS:
            kind_info = DONE_EVENTS[kind]
            run = self._open_run(kind_info, payload, item, ref)
            run.done = True
            run.forget()
            part = self.part_for(item, kind_info, payload)
            if part is not None and kind_info.done_field:
                text = payload.get(kind_info.done_field)
                part.text = keep(text) if isinstance(text, str) else None
            return
        if item is None:
            return
        if kind == "response.output_item.done":
            final = payload.get("item")
            item.done = item.done or ref
            item.final = kept_signature(final)
            self.open_items.discard(item.index)
            item.parts = {}
            item.summaries = {}
            item.runs = {}
        elif kind in ("response.content_part.added", "response.reasoning_summary_part.added"):
            parts = item.parts if kind == "response.content_part.added" else item.summaries
            index = payload.get("content_index" if kind == "response.content_part.added" else "summary_index")
            part = payload.get("part")
            if type(index) is int and index not in parts:
                parts[index] = Part(part.get("type") if isinstance(part, dict) else None, ref)
        elif kind in ("response.content_part.done", "response.reasoning_summary_part.done"):
            parts = item.parts if kind == "response.content_part.done" else item.summaries
            index = payload.get("content_index" if kind == "response.content_part.done" else "summary_index")
            part = parts.get(index) if type(index) is int else None
            if part is not None:
                part.done = True
                final = payload.get("part") if isinstance(payload.get("part"), dict) else None
                if final is not None and isinstance(final.get("text"), str) and len(final["text"]) > PLAIN_TEXT:
                    final = {**final, "text": keep(final["text"])}
                part.final = final
        elif kind == "response.output_text.annotation.added":
            index = payload.get("content_index")
            part = item.parts.get(index) if type(index) is int else None
            if part is not None:
                part.annotations += 1
        elif item.type in HOSTED_TOOLS and kind.startswith(HOSTED_TOOLS[item.type]):
            if kind.endswith((".completed", ".failed")):
                item.hosted_closed = True

    def _open_run(self, kind: DeltaKind, payload: dict, item: Item | None, ref: EventRef) -> Run:
        """The run a delta or `.done` belongs to, started by this event if it is the first."""
        _, key, run = self.run_for(kind, payload)
        if run is None:
            run = Run(kind, ref)
            (item.runs if item is not None else self.loose_runs)[key] = run
        return run

    def closing_part(self, event_type: str, payload: dict) -> tuple[Item | None, str, Part | None]:
        """(item, index field, part) a `content_part.done` or `reasoning_summary_part.done` closes."""
        item = self.item_for(payload)
        field = "content_index" if event_type == "response.content_part.done" else "summary_index"
        parts = (item.parts if field == "content_index" else item.summaries) if item else {}
        index = payload.get(field)
        return item, field, parts.get(index) if type(index) is int else None

    @staticmethod
    def part_for(item: Item | None, kind: DeltaKind, payload: dict) -> Part | None:
        """The content or summary part a delta or `.done` writes into, if it was added."""
        if item is None or kind.part_type is None:
            return None
        parts = item.summaries if kind.part_index == "summary_index" else item.parts
        index = payload.get(kind.part_index)  # type: ignore[arg-type]
        return parts.get(index) if type(index) is int else None

    def note_comment(self, text: str) -> None:
        if "OPENROUTER" in text:
            self.openrouter_marker = self.openrouter_marker or "comment"

    def note_done(self, span: Span) -> None:
        if self.done is None:
            self.done = span
        self.openrouter_marker = self.openrouter_marker or "[DONE]"
