"""L: a stream opens with `response.created` and ends with exactly one terminal event."""

from __future__ import annotations

from typing import Iterator

from ..model import Event, EventRef, Problem
from ..state import StreamState
from .registry import on_close, on_event


@on_event("L001")
def missing_created(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """L001 missing-created (warning under openrouter, error under openai and open-responses).

    The first event of a stream must be `response.created`: the SDK accumulators build their
    response snapshot from it. Not checked on a stream resumed with `--starting-after`, nor
    when the first event could not be decoded (that is F002 or F012 alone).

    Fails:  response.in_progress (seq 0), response.output_item.added (seq 1), ...
    Passes: response.created (seq 0), response.in_progress (seq 1), ...
    """
    if state.events or event.payload is None or state.options.starting_after is not None:
        return
    if ref.type != "response.created":
        yield Problem("L001", f"the stream starts with `{ref.type}`, expected `response.created`")


@on_close("L002")
def missing_terminal(state: StreamState) -> Iterator[Problem]:
    """L002 missing-terminal (error under every profile).

    A stream ends with `response.completed`, `response.incomplete` or `response.failed`;
    without one, clients wait for a final response that never comes. Reported at the last
    event; not when that last event could not be decoded (that is F002 alone).

    Fails:  ..., response.output_text.delta, <end of stream>
    Passes: ..., response.output_item.done, response.completed
    """
    if state.terminal is None and state.last is not None and not state.last_opaque:
        yield Problem(
            "L002",
            f"the stream ends after `{state.last.type}` without a terminal event "
            "(response.completed, response.incomplete or response.failed)",
            at=state.last,
        )


@on_event("L003")
def event_after_terminal(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """L003 event-after-terminal (error under every profile).

    Nothing follows the terminal event of a stream (a second terminal included); `[DONE]`
    and comments are not events. A `response.created` at sequence 0 after a terminal starts
    a new stream instead. Reported once per stream, at the first such event.

    Fails:  ..., response.completed, response.output_text.delta
    Passes: ..., response.completed  (then `data: [DONE]` under openrouter)
    """
    if state.terminal is not None and state.after_terminal is None and event.payload is not None:
        yield Problem(
            "L003",
            f"`{ref.type}` follows the terminal `{state.terminal.type}` "
            f"(line {state.terminal.span.line}); nothing may follow it",
        )
