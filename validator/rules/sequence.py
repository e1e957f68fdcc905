"""Q: sequence numbers start at 0 (or N+1 on a resumed stream) and grow by exactly one."""

from __future__ import annotations

from typing import Iterator

from ..model import Event, EventRef, Problem
from ..state import StreamState
from .registry import on_close, on_event


@on_event("Q001", reads=["type", "sequence_number"])
def sequence_start(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """Q001 sequence-start (error under every profile).

    The first `sequence_number` of a stream must be 0; a stream resumed with
    `--starting-after N` must start at N+1. Only the first event that carries a number is
    checked; later jumps are Q002 or Q003.

    Fails:  {"type":"response.created","sequence_number":3,...}  (first event)
    Passes: {"type":"response.created","sequence_number":0,...}
    """
    seq = ref.sequence_number
    if seq is None or state.seq_last is not None:
        return
    expected = 0 if state.options.starting_after is None else state.options.starting_after + 1
    if seq != expected and not (state.seq_relaxed and seq > expected):
        why = "a fresh stream starts at 0" if expected == 0 else f"the stream resumes after {expected - 1}"
        yield Problem(
            "Q001", f"the first sequence_number is {seq}, expected {expected} ({why})", json_path="$.sequence_number"
        )


@on_event("Q002", reads=["type", "sequence_number"])
def sequence_gap(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """Q002 sequence-gap (error under every profile).

    Each `sequence_number` is the previous one plus one; a jump means events were lost or
    renumbered. After an event that could not be decoded (F002), a jump is not reported.

    Fails:  sequence numbers 0, 1, 2, 5
    Passes: sequence numbers 0, 1, 2, 3
    """
    seq = ref.sequence_number
    if seq is None or state.seq_last is None or state.seq_relaxed:
        return
    if seq > state.seq_last + 1:
        missing = seq - state.seq_last - 1
        yield Problem(
            "Q002",
            f"sequence_number jumps from {state.seq_last} to {seq} on `{ref.type}`: "
            f"{missing} number{'s' if missing > 1 else ''} missing",
            json_path="$.sequence_number",
        )


@on_event("Q003", reads=["type", "sequence_number"])
def sequence_not_increasing(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """Q003 sequence-not-increasing (error under every profile).

    A `sequence_number` that repeats or goes backwards: clients that order or de-duplicate
    events by it lose data.

    Fails:  sequence numbers 0, 1, 1, 2
    Passes: sequence numbers 0, 1, 2, 3
    """
    seq = ref.sequence_number
    if seq is None or state.seq_last is None:
        return
    if seq <= state.seq_last:
        how = "repeats" if seq == state.seq_last else "goes backwards"
        yield Problem(
            "Q003",
            f"sequence_number {how}: {seq} on `{ref.type}` after {state.seq_last}, expected {state.seq_last + 1}",
            json_path="$.sequence_number",
        )


@on_close("Q004")
def sequence_missing(state: StreamState) -> Iterator[Problem]:
    """Q004 sequence-missing (error under every profile).

    Every event carries an integer `sequence_number`. Reported once per stream, at the first
    event without one, with the count; the schema check does not repeat it per event.

    Fails:  {"type":"response.output_text.delta","item_id":"msg_1",...}  (no sequence_number)
    Passes: {"type":"response.output_text.delta","sequence_number":4,...}
    """
    ref = state.seq_missing_first
    if ref is None:
        return
    if state.seq_missing > 1:
        detail = f" ({state.seq_missing} of {state.events} events in this stream lack one)"
    else:
        detail = " (the only event in this stream without one)"
    yield Problem("Q004", f"`{ref.type}` has no sequence_number{detail}", at=ref)
