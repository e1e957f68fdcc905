"""Run batching: the next deltas of a run that the rules passed, taken in one loop.

Most events are the next delta of a run (same item and part, next sequence number). The rules
see the delta that opens a run like any event; when they found nothing there, the next deltas
of the run in the reader's Batch records are recorded without a rule generator each. Sound
because each check that sees deltas reads only fields a run pins (`on_event(reads=...)`) or
answers for the others itself (`runs=`: the schema rule's rest predicate); see registry.py.
"""

from __future__ import annotations

from typing import Callable

from .model import Batch, Event, EventRef, Problem, Span, new_record
from .protocol import DELTA_EVENTS
from .rules import run_checks
from .state import Run, StreamState


class HotRun:
    """The run the last delta went into, while nothing but its next deltas has come: the state
    changes only by them, so the rules' answers on the opener hold for a next delta with the
    same keys, type, SSE name and pinned fields, whose number is the next and that the checks
    of `run_checks` pass."""

    __slots__ = ("state", "keys", "type", "name", "index", "item_id", "part_field", "part", "check", "every", "run")

    def __init__(
        self,
        state: StreamState,
        event: Event,
        run: Run,
        check: Callable[[dict], bool],
        every: tuple[Problem, ...],
        part_field: str | None,
    ) -> None:
        payload = event.payload
        assert payload is not None
        self.state = state
        self.keys = tuple(payload)
        self.type = payload["type"]
        self.name = event.sse_event
        self.index = payload["output_index"]
        self.item_id = payload.get("item_id")
        self.part_field = part_field
        self.part = payload[part_field] if part_field is not None else None
        self.check = check
        self.every = every  # what the rules say of each delta of the run (S002 of a candidate of auto)
        self.run = run

    @staticmethod
    def after(state: StreamState, event: Event, found: list[tuple[Problem, EventRef]]) -> HotRun | None:
        """The run `event` went into, which the state recorded, if the next deltas of it may
        be batched: the rules found nothing on it but what they say of every next delta
        (`run_checks`). Else None."""
        payload = event.payload
        if payload is None:
            return None
        kind = DELTA_EVENTS.get(payload["type"])
        if kind is None or event.comments or not event.has_event_field or event.sdk_cased:
            return None
        if type(payload.get("sequence_number")) is not int:
            return None
        index = payload.get("output_index")
        item = state.items.get(index) if type(index) is int else None
        part_field = kind.part_index if kind.part_index in payload else None
        if item is None or (part_field is not None and type(payload[part_field]) is not int):
            return None
        if "item_id" in payload and type(payload["item_id"]) is not str:
            return None  # compared by `!=` below, which holds 1 and 1.0 equal
        run = item.runs.get(state.run_key(kind, payload))
        answer = run_checks(payload["type"], state)
        if run is None or answer is None or [p for p, _ in found] != list(answer[1]):
            return None
        return HotRun(state, event, run, answer[0], answer[1], part_field)

    def take(self, batch: Batch, i: int, found: list[tuple[Problem, EventRef]]) -> int:
        """How many of batch.payloads[i:] are the next deltas of the run, recorded here
        (`StreamState.extend_run`), with what the rules say of each added to `found`: it
        stops at the first that is not."""
        if (
            batch.sse_event != self.name
            or batch.payloads[i]["type"] != self.type
            or tuple(batch.payloads[i]) != self.keys
        ):
            return 0  # a batch's payloads all have the same keys, type and SSE name
        state, index, item_id, part_field, part, check, every = (
            self.state,
            self.index,
            self.item_id,
            self.part_field,
            self.part,
            self.check,
            self.every,
        )
        payloads = batch.payloads
        deltas: list = []  # the taken deltas' `delta` fields, for Run.add_all
        seq_last = state.seq_last
        assert seq_last is not None
        j, end = i, len(payloads)
        while j < end:
            value = payloads[j]
            seq = value["sequence_number"]
            if type(seq) is not int or seq != seq_last + 1:
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
            if every:
                span = new_record(Span, (batch.span.path, batch.span.line + j * batch.step, 1))
                ref = new_record(EventRef, (span, state.events + j - i, seq, self.type))
                for problem in every:
                    found.append((problem, ref))
            seq_last = seq
            deltas.append(value.get("delta"))
            j += 1
        if j > i:
            span = batch.span
            at_span = new_record(Span, (span.path, span.line + (j - 1) * batch.step, 1))
            last = new_record(EventRef, (at_span, state.events + j - i - 1, seq_last, self.type))
            state.extend_run(self.run, deltas, last)
        return j - i
