"""F rules about the stream as a whole: `event:` names and the `[DONE]` sentinel."""

from __future__ import annotations

from typing import Iterator

from ..model import Event, EventRef, Problem
from ..helpers import short
from ..state import StreamState
from .registry import on_close, on_event


@on_event("F006", reads=["type"])
def event_type_mismatch(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """F006 event-type-mismatch (error under every profile).

    The SSE `event:` name (or the `event` of a JSONL wrapper) must equal the payload's `type`:
    clients that dispatch on the SSE name would route the event wrongly.

    Fails:  event: response.output_text.done / data: {"type":"response.output_text.delta",...}
    Passes: event: response.output_text.delta / data: {"type":"response.output_text.delta",...}
    """
    if event.sse_event is not None and ref.type is not None and event.sse_event != ref.type:
        yield Problem(
            "F006", f"the SSE event name is `{short(event.sse_event)}` but the payload's type is `{ref.type}`"
        )


@on_event("F009", reads=[])
def done_sentinel_not_last(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """F009 done-sentinel-not-last (error under every profile).

    `data: [DONE]` ends the stream: a client stops reading there and loses what follows.
    Only comments may follow it (or a new stream, in a file of several). Reported once, at
    the first event after it.

    Fails:  data: [DONE] / (blank) / data: {"type":"response.completed",...}
    Passes: data: {"type":"response.completed",...} / (blank) / data: [DONE]
    """
    if state.done is not None and state.after_done is None:
        yield Problem(
            "F009",
            f"`{ref.type or 'an event'}` follows `data: [DONE]` (line {state.done.line}); clients stop reading at the sentinel",
        )


@on_close("F010", "F015")
def done_sentinel(state: StreamState) -> Iterator[Problem]:
    """F010 missing-done-sentinel (warning under openrouter, error under open-responses, off under openai);
    F015 unexpected-done-sentinel (warning under openai, off otherwise).

    OpenRouter and Open Responses end a stream with `data: [DONE]`; OpenAI does not send one,
    and a strict OpenAI client treats it as a bad event.

    Fails (openrouter):  ... data: {"type":"response.completed",...} <end>
    Passes (openrouter): ... data: {"type":"response.completed",...} / data: [DONE]
    Fails (openai):      ... data: [DONE]
    """
    if state.done is None and state.last is not None:
        yield Problem("F010", "the stream ends without `data: [DONE]`", at=state.last)
    elif state.done is not None:
        yield Problem("F015", "`data: [DONE]` is not part of this profile's streams", span=state.done)


@on_close("F014")
def missing_event_field(state: StreamState) -> Iterator[Problem]:
    """F014 missing-event-field (warning under openai, off otherwise).

    OpenAI sends every event as an `event: <type>` line plus a `data:` line; a block with
    only `data:` breaks clients that dispatch on the SSE event name. Reported once per
    stream, at the first such block, with the count. Never for JSONL.

    Fails (openai):  data: {"type":"response.created",...}
    Passes (openai): event: response.created / data: {"type":"response.created",...}
    """
    ref = state.no_event_field_first
    if ref is not None:
        many = f" ({state.no_event_field} of {state.events} blocks)" if state.no_event_field > 1 else ""
        yield Problem("F014", f"an SSE block with `data:` but no `event:` line{many}", at=ref)
