"""The model of one stream as it unfolds, updated once per event; rules read it, never copy it.

Rules see each event with the state as it was *before* that event, then the engine calls
`update`. Closing rules see the state after the last event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Event, EventRef, Span

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


@dataclass
class Options:
    """What the user asked for that rules must know."""

    profile: str | None = None  # None while `auto` has not decided
    strict: bool = False
    starting_after: int | None = None  # this stream resumes after sequence number N


@dataclass
class StreamState:
    options: Options = field(default_factory=Options)
    events: int = 0
    first: EventRef | None = None
    last: EventRef | None = None
    last_opaque: bool = False  # the last event could not be decoded (F002/F012)

    # sequence numbers
    seq_last: int | None = None
    seq_relaxed: bool = False  # an undecodable event since seq_last: a jump is not a gap
    seq_missing: int = 0
    seq_missing_first: EventRef | None = None

    # lifecycle
    response_id: str | None = None
    status: str | None = None
    terminal: EventRef | None = None
    after_terminal: EventRef | None = None

    # framing
    done: Span | None = None  # where `data: [DONE]` was
    after_done: EventRef | None = None
    no_event_field: int = 0
    no_event_field_first: EventRef | None = None
    openrouter_marker: str | None = None  # what showed this stream is OpenRouter's

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
            return
        seq = payload.get("sequence_number")
        if type(seq) is int:
            self.seq_last = seq
            self.seq_relaxed = False
        elif seq is None and not event.sdk_cased:
            self.seq_missing += 1
            self.seq_missing_first = self.seq_missing_first or ref
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

    def note_comment(self, text: str) -> None:
        if "OPENROUTER" in text:
            self.openrouter_marker = self.openrouter_marker or "comment"

    def note_done(self, span: Span) -> None:
        if self.done is None:
            self.done = span
        self.openrouter_marker = self.openrouter_marker or "[DONE]"
