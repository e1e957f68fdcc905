"""The common case in one pass: a `*.delta` that no per-event rule would report.

Nine events in ten of the real captures are deltas, and on each the full path runs a dozen
rule generators. `plain_delta` asks, in one function, every question those rules ask of a
delta (COVERED names them); when all answers are "fine" the engine only records the delta
(`StreamState.add_delta`), and otherwise the event takes the full path, which finds and words
whatever there is. It reports nothing itself, so it can change no message; the tests run
every fixture, real capture and generated stream with and without it and compare findings,
and fail when a rule that reads deltas is added without being covered here.

`HotRun` goes one step further for the next delta of the same run (see there).
"""

from __future__ import annotations

from typing import Callable

import orjson

from .model import Event, EventRef, Problem, Span, new_record
from .payload import SERIALIZED_UP_TO, read_as_written
from .protocol import DELTA_EVENTS, DeltaKind, item_family, remember
from .rules import checks_for
from .rules.schema import checked_by
from .schemas import quick_check, rest_check
from .state import Item, Run, StreamState

# The per-event checks `plain_delta` answers for, as "module.function" of validator/rules/.
COVERED = frozenset(
    {
        "framing.event_type_mismatch",  # F006: the SSE name is the payload's type
        "framing.done_sentinel_not_last",  # F009: no `[DONE]` before it
        "items.unknown_output_item",  # O001: its output_index was added
        "items.item_id_mismatch",  # O003: its item_id is the item's
        "items.item_type_mismatch",  # O004: the item's type fits the delta
        "items.part_not_open",  # O007/O008: its part is added, open and of the right type
        "lifecycle.missing_created",  # L001: it is not the first event
        "lifecycle.event_after_terminal",  # L003: no terminal event yet
        "schema.schema_violation",  # S001/S002/S003: its type is known and its schema passes
        "sequence.sequence_start",  # Q001: not the first number
        "sequence.sequence_gap",  # Q002 and
        "sequence.sequence_not_increasing",  # Q003: exactly the previous number plus one
    }
)

_FAMILIES = {kind: item_family(kind) for kind in DELTA_EVENTS}

# The per-event checks `in_order` answers for, whatever the event's type.
IN_ORDER = frozenset(
    {
        "framing.event_type_mismatch",  # F006: the SSE name is the payload's type
        "framing.done_sentinel_not_last",  # F009: no `[DONE]` before it
        "lifecycle.missing_created",  # L001: it is not the first event
        "lifecycle.event_after_terminal",  # L003: no terminal event yet
        "sequence.sequence_start",  # Q001: not the first number
        "sequence.sequence_gap",  # Q002 and
        "sequence.sequence_not_increasing",  # Q003: exactly the previous number plus one
    }
)
_REST: dict = {}  # type -> (checks_for(type), that tuple less the checks in IN_ORDER)


def in_order(event: Event, ref: EventRef, state: StreamState) -> bool:
    """Would every check of IN_ORDER pass this event? Then the engine runs only `rest_of`
    its checks: seven generators less on each event the full path takes (lifecycle, items,
    parts, `.done`), ~1.5 us of ~13. The same tests as plain_delta's compare findings."""
    seq, last = ref.sequence_number, state.seq_last
    return (
        type(seq) is int and last is not None and seq == last + 1 and state.events > 0
        and state.done is None and state.terminal is None
        and (event.sse_event is None or event.sse_event == ref.type)
    )


def rest_of(event_type: str | None) -> tuple:
    """checks_for(event_type) less the checks `in_order` answers for; made again when that
    tuple is a new one (a rule registered since)."""
    every = checks_for(event_type)
    found = _REST.get(event_type)
    if found is None or found[0] is not every:
        rest = tuple(c for c in every if f"{c.__module__.rpartition('.')[2]}.{c.__name__}" not in IN_ORDER)
        found = remember(_REST, event_type, (every, rest))
    return found[1]


def plain_delta(event: Event, state: StreamState) -> tuple[Item, DeltaKind, Callable, Problem | None] | None:
    """(item, delta kind, the rest predicate of the schema that passed it (see HotRun), the
    S002 it has under `auto` or None) when every covered check passes this event, else None."""
    payload = event.payload
    if payload is None or event.problems or event.sdk_cased or not event.has_event_field or event.comments:
        return None
    name = payload["type"]
    kind = DELTA_EVENTS.get(name)
    if kind is None or (event.sse_event is not None and event.sse_event != name):
        return None
    if state.done is not None or state.terminal is not None or not state.events or state.options.strict:
        return None
    seq = payload.get("sequence_number")
    last = state.seq_last
    if type(seq) is not int or last is None or state.seq_relaxed or seq != last + 1:
        return None
    index = payload.get("output_index")
    item = state.items.get(index) if type(index) is int else None
    if item is None or item.done is not None:
        return None
    item_id = payload.get("item_id")
    if isinstance(item_id, str) and item_id != item.id:
        return None
    family = _FAMILIES[name]
    if family and item.type is not None and item.type not in family:
        return None
    if kind.part_type is not None:
        part = state.part_for(item, kind, payload)
        if part is None or part.done or (part.type is not None and part.type != kind.part_type):
            return None
    schema = _SCHEMA_CHECKS.get((state.options.profile, name))
    if schema is None:
        schema = _SCHEMA_CHECKS[state.options.profile, name] = _schema_check(state.options.profile, name)
    if not schema or not schema[0](payload):
        return None
    # An `extra` only comes with no profile yet, so with no OpenRouter marker seen (the record
    # that shows one decides the profile): the engine holds it, as `_emit` would.
    return item, kind, schema[1], schema[2]


_SCHEMA_CHECKS: dict = {}  # (profile, type) -> `_schema_check`'s answer


def forget_types() -> None:
    """The catalogs changed (the user's schemas, schemas.use_user_schemas): answer again."""
    _SCHEMA_CHECKS.clear()


def _schema_check(profile: str | None, name: str) -> tuple[Callable, Callable, Problem | None] | None:
    """(the compiled schema check the schema rule runs, its rest predicate for a run, the
    problem it adds when a candidate profile of `auto` does not know the type), or None when
    no profile in play knows it."""
    found = checked_by(profile, name)
    if found is None:
        return None
    by, extra = found
    return quick_check(by, name), rest_check(by, name), extra


class HotRun:
    """The run the last delta went into, while no other record has come since.

    Until then the stream's state changes only by that run's deltas, so every answer
    `plain_delta` gave for the last delta holds for a next one with the same keys (in the same
    order), type, SSE name, item and part; what can differ is asked again: the sequence number
    is the next one and the schema passes. The schema is asked only of the fields a run does
    not pin (`schemas.rest_check`): the pinned ones equal those that passed. While it is armed,
    the reader lets `take_lines` take the lines that come next before it builds any Event, and
    a line taken is recorded as `StreamState.add_delta` does. The engine arms it after each
    delta that `plain_delta` passed and settles it before any other record or the end.
    """

    __slots__ = ("path", "armed", "state", "type", "name", "keys", "index", "item_id", "part_field", "part",
                 "check", "run", "line", "extra", "pending")

    def __init__(self, path: str) -> None:
        self.path = path
        self.armed = False
        self.line: int | None = None  # the line of the last delta taken, if any since `arm`

    def arm(self, state: StreamState, event: Event, kind: DeltaKind, run: Run, check: Callable,
            extra: Problem | None, pending: list) -> None:
        """Follow `event`'s run, which `plain_delta` passed and `add_delta` recorded; under
        `auto`, each delta's `extra` (S002 for one candidate) joins the stream's `pending`."""
        payload = event.payload
        assert payload is not None
        self.state = state
        self.type = payload["type"]
        self.name = event.sse_event.encode() if event.sse_event is not None else None
        self.keys = tuple(payload)  # in order: a tuple compares faster than a keys view
        self.index = payload["output_index"]
        self.item_id = payload.get("item_id")
        self.part_field = kind.part_index if kind.part_type is not None else None
        self.part = payload[self.part_field] if self.part_field is not None else None
        self.check = check
        self.run = run
        self.extra = extra
        self.pending = pending
        self.armed = True

    def take_lines(self, lines: list[bytes], i: int, line_no: int, sse: bool) -> int:
        """How many of `lines[i:]` (line_no lines come before lines[i]) are the next deltas of
        the run, recorded here: JSONL lines, or SSE blocks of `event:` (the run's name),
        `data:` and a blank line. It stops at the first that is not, or that the reader's
        quick path would not have parsed (`quick_decode`); that one is read as usual. The
        questions are asked in one loop, without an Event or a call per line: these lines
        are most of a capture."""
        if not self.armed or (self.name is None) == sse:
            return 0
        state, keys, kind, index, item_id, part_field, part = (
            self.state, self.keys, self.type, self.index, self.item_id, self.part_field, self.part)
        check, extra, loads, dumps = self.check, self.extra, orjson.loads, orjson.dumps
        deltas: list = []  # the taken lines' `delta` fields, for Run.add_all
        named = b"event: " + self.name if sse else b""
        step = 3 if sse else 1
        seq_last = state.seq_last
        j, end = i, len(lines) - step + 1
        while j < end:
            if sse:
                if lines[j] != named or lines[j + 2] or lines[j + 1][:6] != b"data: ":
                    break
                data = lines[j + 1][6:]
            else:
                data = lines[j]  # a CR left at its end is a blank to orjson and to read_as_written
            try:
                value = loads(data)
            except orjson.JSONDecodeError:
                break
            if type(value) is not dict:
                break
            if (len(data) >= SERIALIZED_UP_TO or dumps(value) != data) and not read_as_written(value, data):
                break
            if tuple(value) != keys:  # then the pinned keys below are all there
                break
            seq = value["sequence_number"]
            if type(seq) is not int or seq != seq_last + 1 or value["type"] != kind:
                break
            at = value["output_index"]
            if type(at) is not int or at != index or value.get("item_id") != item_id:
                break
            if part_field is not None:
                at = value[part_field]
                if type(at) is not int or at != part:
                    break
            if not check(value):
                break
            if extra is not None:
                span = new_record(Span, (self.path, line_no + j - i + 1, 1))
                self.pending.append((extra, new_record(EventRef, (span, state.events + (j - i) // step, seq, kind))))
            seq_last = seq
            deltas.append(value.get("delta"))
            j += step
        if j > i:
            self.run.add_all(deltas)
            state.events += (j - i) // step
            state.seq_last = seq_last
            self.line = line_no + j - i - step + 1
        return j - i

    def settle(self) -> None:
        """Stop following the run; the state's last event becomes the last delta taken."""
        if self.line is not None:
            state = self.state
            span = new_record(Span, (self.path, self.line, 1))
            state.last = new_record(EventRef, (span, state.events - 1, state.seq_last, self.type))
            self.line = None
        self.armed = False
