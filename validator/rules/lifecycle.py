"""L: a stream opens with `response.created` and ends with exactly one terminal event."""

from __future__ import annotations

from typing import Iterator

from ..model import Event, EventRef, Problem
from ..helpers import short
from ..state import TERMINAL, StreamState
from .registry import on_close, on_event


@on_event("L001", reads=["type"])
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


@on_event("L003", reads=["type"])
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


_STATUS = {
    "response.created": ("in_progress", "queued"),
    "response.in_progress": ("in_progress", "queued"),
    "response.queued": ("queued",),
    "response.completed": ("completed",),
    "response.incomplete": ("incomplete",),
    "response.failed": ("failed",),
}


def _response(event: Event) -> dict | None:
    response = event.payload.get("response") if event.payload is not None else None
    return response if isinstance(response, dict) else None


@on_event("L004", types=_STATUS)
def response_id_changed(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """L004 response-id-changed (error under every profile).

    `response.id` is the same on every lifecycle event of a stream (the SDKs raise
    "Lifecycle response identity changed"). Reported once per stream.

    Fails:  response.created {response.id "resp_1"}, response.completed {response.id "resp_2"}
    Passes: response.created {response.id "resp_1"}, response.completed {response.id "resp_1"}
    """
    response = _response(event) if ref.type in _STATUS else None
    if response is None or state.response_id is None or "L004" in state.reported:
        return
    found = response.get("id")
    if isinstance(found, str) and found != state.response_id:
        state.reported.add("L004")
        yield Problem(
            "L004",
            f"`{ref.type}` has response.id `{short(found)}`, but the stream began as `{state.response_id}`",
            json_path="$.response.id",
        )


@on_event("L005", types=_STATUS)
def status_mismatch(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """L005 status-mismatch (error under every profile).

    The response `status` fits the lifecycle event: created and in_progress carry
    `in_progress` (or `queued`), queued carries `queued`, completed `completed`, incomplete
    `incomplete`, failed `failed`.

    Fails:  {"type":"response.completed","response":{"status":"in_progress",...}}
    Passes: {"type":"response.completed","response":{"status":"completed",...}}
    """
    response = _response(event) if ref.type in _STATUS else None
    if response is None:
        return
    status = response.get("status")
    allowed = _STATUS[ref.type]  # type: ignore[index]
    if isinstance(status, str) and status not in allowed:
        wanted = " or ".join(f"`{s}`" for s in allowed)
        yield Problem(
            "L005", f"`{ref.type}` carries status `{short(status)}`, expected {wanted}", json_path="$.response.status"
        )


@on_close("L006")
def error_without_failed(state: StreamState) -> Iterator[Problem]:
    """L006 error-without-failed (warning under every profile).

    An `error` event is followed by `response.failed` (Open Responses: "Any error incurred
    while streaming will be followed by a response.failed event").

    Fails:  ..., error, <end of stream>
    Passes: ..., error, response.failed
    """
    if state.pending_error is not None:
        yield Problem("L006", "this `error` event is not followed by `response.failed`", at=state.pending_error)


@on_event("L007", types=["response.created", "response.in_progress", "response.queued"])
def lifecycle_order(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """L007 lifecycle-order (warning under every profile).

    `response.in_progress` and `response.queued` come after `response.created` and before
    output begins. "Before created" is reported only when a `response.created` does come
    later (without one, L001 alone reports it), at that created event.

    Fails:  response.created, response.output_item.added, response.in_progress
    Passes: response.created, response.in_progress, response.output_item.added
    """
    if ref.type == "response.created" and state.early_progress is not None and not state.created:
        yield Problem(
            "L007",
            f"`{state.early_progress.type}` (line {state.early_progress.span.line}) comes before `response.created`",
            at=state.early_progress,
        )
    elif ref.type in ("response.in_progress", "response.queued") and state.output_began and state.terminal is None:
        yield Problem("L007", f"`{ref.type}` arrives after output began")


@on_event("L008", types=TERMINAL)
def terminal_details(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """L008 terminal-details (error under every profile).

    `response.completed` carries `output` and `usage` (absent or null breaks the SDKs; `[]` is
    fine); `response.incomplete` carries `incomplete_details.reason`; `response.failed`
    carries `error`. `completed_at` is not required (many real streams omit it).

    Fails:  {"type":"response.completed","response":{"status":"completed","output":[],"usage":null,...}}
    Passes: {"type":"response.completed","response":{"status":"completed","output":[],"usage":{...},...}}
    """
    response = _response(event) if ref.type in TERMINAL else None
    if response is None:
        return
    if ref.type == "response.completed":
        for key in ("output", "usage"):
            if response.get(key) is None:
                yield Problem("L008", f"`response.completed` has no `{key}`", json_path=f"$.response.{key}")
    elif ref.type == "response.incomplete":
        details = response.get("incomplete_details")
        if not isinstance(details, dict) or details.get("reason") is None:
            yield Problem(
                "L008",
                "`response.incomplete` has no `incomplete_details.reason`",
                json_path="$.response.incomplete_details",
            )
    elif response.get("error") is None:
        yield Problem("L008", "`response.failed` has no `error`", json_path="$.response.error")
