"""Frozen records shared by every step: where something is, what was read, what was found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

PROFILES = ("openrouter", "openai", "open-responses")


class Span(NamedTuple):
    """A 1-based place in a capture file."""

    path: str
    line: int
    column: int


@dataclass(slots=True)  # not frozen: a frozen dataclass takes five times longer to build, per event
class Event:
    """One event as read: its payload (None when it could not be decoded) and where it was."""

    span: Span
    payload: dict[str, Any] | None
    sse_event: str | None = None  # the SSE `event:` name or the JSONL wrapper's `event`
    has_event_field: bool = True  # False for an SSE block with `data:` but no `event:` line
    comments: tuple[tuple[Span, str], ...] = ()  # the block's `:` comment lines
    problems: tuple["Problem", ...] = ()  # what the reader found in this event's bytes
    sdk_cased: bool = False  # F011 fired: the payload's keys are an SDK's, not the wire's

    @property
    def type(self) -> str | None:
        return self.payload.get("type") if self.payload is not None else None

    @property
    def sequence_number(self) -> int | None:
        if self.payload is None:
            return None
        seq = self.payload.get("sequence_number")
        return seq if type(seq) is int else None


@dataclass(frozen=True, slots=True)
class Done:
    """The `data: [DONE]` sentinel: not an event, but the rules care where it is."""

    span: Span


@dataclass(frozen=True, slots=True)
class Comment:
    """An SSE comment block with no data (keep-alives such as `: OPENROUTER PROCESSING`)."""

    span: Span
    text: str


class EventRef(NamedTuple):
    """Enough of an event to locate a finding about it after the event is gone."""

    span: Span
    index: int
    sequence_number: int | None
    type: str | None


@dataclass(frozen=True, slots=True)
class Problem:
    """What a reader step or a rule found, before the engine stamps name, severity and stream."""

    code: str
    message: str
    span: Span | None = None  # a line of the file with no event (reader problems)
    at: EventRef | None = None  # the event it is about; None with no span: the current event
    json_path: str | None = None
    severity: str | None = None  # None: the code's severity under the stream's profile
    only_profiles: frozenset[str] | None = None  # None: true under every profile


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem, with everything every reporter needs."""

    path: str
    line: int
    column: int
    code: str
    name: str
    severity: str  # "error" or "warning"
    message: str
    stream: int | None = None
    event_index: int | None = None
    sequence_number: int | None = None
    event_type: str | None = None
    json_path: str | None = None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)
