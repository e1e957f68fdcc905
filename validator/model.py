"""Frozen records shared by every step: where something is, what was read, what was found,
and the report of a run that every reporter reads.

They are NamedTuples and plain classes, not dataclasses: building a dataclass at import adds to
the start-up, which is what a pre-commit hook pays on every commit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

PROFILES = ("openrouter", "openai", "open-responses")


# Builds a NamedTuple from a tuple of its fields, without the Python-level `__new__` the class
# defines: cheaper, for the Span and EventRef of every delta.
new_record = tuple.__new__


class Span(NamedTuple):
    """A 1-based place in a capture file."""

    path: str
    line: int
    column: int


class Event:
    """One event as read: its payload (None when it could not be decoded) and where it was.
    Not frozen: one is built per event, and a frozen record takes longer to build."""

    __slots__ = ("span", "payload", "sse_event", "has_event_field", "comments", "problems", "sdk_cased")

    def __init__(
        self,
        span: Span,
        payload: dict[str, Any] | None,
        sse_event: str | None = None,  # the SSE `event:` name or the JSONL wrapper's `event`
        has_event_field: bool = True,  # False for an SSE block with `data:` but no `event:` line
        comments: tuple[tuple[Span, str], ...] = (),  # the block's `:` comment lines
        problems: tuple[Problem, ...] = (),  # what the reader found in this event's bytes
        sdk_cased: bool = False,  # F011 fired: the payload's keys are an SDK's, not the wire's
    ) -> None:
        self.span = span
        self.payload = payload
        self.sse_event = sse_event
        self.has_event_field = has_event_field
        self.comments = comments
        self.problems = problems
        self.sdk_cased = sdk_cased

    def __repr__(self) -> str:
        return f"Event({self.span!r}, {self.payload!r}, sse_event={self.sse_event!r})"

    @property
    def type(self) -> str | None:
        return self.payload.get("type") if self.payload is not None else None

    @property
    def sequence_number(self) -> int | None:
        if self.payload is None:
            return None
        seq = self.payload.get("sequence_number")
        return seq if type(seq) is int else None


class Batch(NamedTuple):
    """Consecutive events the reader read alike (same keys in the same order, `type` and SSE
    name; nothing to report), each `step` lines after the last: 1 for JSONL, 3 for SSE."""

    span: Span  # the first event's
    step: int
    sse_event: str | None
    payloads: list[dict[str, Any]]

    def event(self, i: int) -> Event:
        """The i-th event as the reader would have read it alone."""
        span = self.span
        return Event(new_record(Span, (span.path, span.line + i * self.step, 1)), self.payloads[i], self.sse_event)


class Done(NamedTuple):
    """The `data: [DONE]` sentinel: not an event, but the rules care where it is."""

    span: Span


class Comment(NamedTuple):
    """An SSE comment block with no data (keep-alives such as `: OPENROUTER PROCESSING`)."""

    span: Span
    text: str


class EventRef(NamedTuple):
    """Enough of an event to locate a finding about it after the event is gone."""

    span: Span
    index: int  # type: ignore[assignment]  # a field, shadowing tuple.index
    sequence_number: int | None
    type: str | None


class Problem(NamedTuple):
    """What a reader step or a rule found, before the engine stamps name, severity and stream."""

    code: str
    message: str
    span: Span | None = None  # a line of the file with no event (reader problems)
    at: EventRef | None = None  # the event it is about; None with no span: the current event
    json_path: str | None = None
    severity: str | None = None  # None: the code's severity under the stream's profile
    only_profiles: frozenset[str] | None = None  # None: true under every profile


class Inside(NamedTuple):
    """Where a finding is inside a container file: a cassette's interaction or a HAR entry
    (0-based) and the 1-based line within the stream that entry holds."""

    kind: str  # "cassette" or "har"
    entry: int
    stream_line: int


class Finding(NamedTuple):
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
    container: Inside | None = None  # set for a stream read from a cassette or HAR file

    def sort_key(self) -> tuple:
        inside = (self.container.entry, self.container.stream_line) if self.container else ()
        return (self.path, self.line, self.column, inside, self.code, self.message)


class StreamSummary(NamedTuple):
    """One stream of a capture, as the report lists it."""

    index: int  # type: ignore[assignment]  # a field, shadowing tuple.index
    profile: str
    events: int
    response_id: str | None
    status: str | None


class FileReport(NamedTuple):
    """One capture's verdict: the format it was read as, its streams and its findings."""

    path: str
    format: str
    streams: list[StreamSummary]
    findings: list[Finding]
    late_suppressed: int = 0  # found before a `file-ignore` that came later in the capture


class Report:
    """The files of one run (a plain class: a dataclass adds to the start-up)."""

    def __init__(self, files: list[FileReport] | None = None) -> None:
        self.files: list[FileReport] = files if files is not None else []

    def __repr__(self) -> str:
        return f"Report(files={self.files!r})"

    def add(self, file: FileReport) -> None:
        """One more file's verdict, in the order of the run."""
        self.files.append(file)

    @property
    def findings(self) -> list[Finding]:
        """Every file's findings, ordered by path, line, column and code."""
        return sorted((f for file in self.files for f in file.findings), key=Finding.sort_key)

    def to_dict(self) -> dict:
        """The JSON report, version 1 (README documents it; tools may parse it)."""
        return {
            "version": 1,
            "files": [file_entry(f) for f in self.files],
            "findings": [finding_entry(x) for x in self.findings],
            "summary": self.summary(),
        }

    def summary(self) -> dict:
        """Counts of files, streams, events, errors and warnings."""
        total = dict.fromkeys(SUMMARY_KEYS, 0)
        for file in self.files:
            for key, count in file_counts(file).items():
                total[key] += count
        return total


SUMMARY_KEYS = ("files", "streams", "events", "errors", "warnings")


def file_counts(file: FileReport) -> dict:
    """One file's share of the summary (Report.summary, and the spooled JSON report's)."""
    return {
        "files": 1,
        "streams": len(file.streams),
        "events": sum(s.events for s in file.streams),
        "errors": sum(1 for x in file.findings if x.severity == "error"),
        "warnings": sum(1 for x in file.findings if x.severity == "warning"),
    }


def file_entry(file: FileReport) -> dict:
    """One file of the JSON report's `files`."""
    return {
        "path": file.path,
        "format": file.format,
        "streams": [
            {
                "index": s.index,
                "profile": s.profile,
                "events": s.events,
                "response_id": s.response_id,
                "status": s.status,
            }
            for s in file.streams
        ],
    }


def finding_entry(x: Finding) -> dict:
    """One finding of the JSON report's `findings`."""
    return {
        "path": x.path,
        "line": x.line,
        "column": x.column,
        "code": x.code,
        "name": x.name,
        "severity": x.severity,
        "message": x.message,
        "stream": x.stream,
        "event_index": x.event_index,
        "sequence_number": x.sequence_number,
        "event_type": x.event_type,
        "json_path": x.json_path,
        **({"container": x.container._asdict()} if x.container else {}),
    }
