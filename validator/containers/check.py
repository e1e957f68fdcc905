"""Check a container's Responses streams with the capture reader and engine, and point each
finding back into the container: `cassette.yaml:LINE:COL`, the entry and the line inside the
stream in the message and in `Finding.container`."""

from __future__ import annotations

import io

from .. import codes
from ..api import CaptureError, FileReport, check_stream, drain
from ..config import DEFAULT, Config
from ..engine import AUTO
from ..model import Finding, Inside
from ..reader import sniff
from . import Entry, Unreadable

_WHERE = {"cassette": "interactions[{}]", "har": "log.entries[{}]"}


def check_file(path: str, kind: str, **options) -> FileReport:
    """Check the container file at `path`; raises CaptureError when it cannot be read."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        raise CaptureError(f"{path}: {exc.strerror or exc}") from None
    return check_bytes(data, path, kind, **options)


def entries(data: bytes, kind: str) -> list[Entry]:
    """The Responses streams of a container's bytes; raises Unreadable."""
    if kind == "har":
        from . import har

        return har.entries(data)
    from . import cassette

    return cassette.entries(data)


def check_bytes(
    data: bytes,
    path: str,
    kind: str,
    profile: str = AUTO,
    input_format: str | None = None,
    strict: bool = False,
    starting_after: int | None = None,
    config: Config = DEFAULT,
) -> FileReport:
    """Every Responses stream of the container, checked as a capture named `path` (so
    per-file-ignores apply), its findings moved into the container."""
    try:
        found = entries(data, kind)
    except Unreadable as exc:
        unreadable = _unreadable(path, exc.line, exc.column, exc.message, profile, config)
        return FileReport(path, kind, [], unreadable)
    streams: list = []
    findings: list[Finding] = []
    late = 0
    for entry in found:
        if entry.body is None:
            findings.extend(_unreadable(path, entry.line, entry.column, entry.error or "unreadable", profile, config))
            continue
        report = drain(
            check_stream(io.BytesIO(entry.body), path, profile, sniff(entry.body), strict, starting_after, config)
        )
        offset = len(streams)
        streams.extend(s._replace(index=s.index + offset) for s in report.streams)
        findings.extend(_moved(f, entry, kind, offset) for f in report.findings)
        late += report.late_suppressed
    return FileReport(path, kind, streams, sorted(findings, key=Finding.sort_key), late)


def _moved(finding: Finding, entry: Entry, kind: str, offset: int) -> Finding:
    """A finding about a stream line, placed in the container."""
    if entry.literal_line is not None:
        line, column = entry.literal_line + finding.line, entry.column - 1 + finding.column
    else:
        line, column = entry.line, entry.column
    where = _WHERE[kind].format(entry.position)
    return finding._replace(
        line=line,
        column=column,
        message=f"{finding.message} ({where}, stream line {finding.line})",
        stream=None if finding.stream is None else finding.stream + offset,
        container=Inside(kind, entry.position, finding.line),
    )


def _unreadable(path: str, line: int, column: int, message: str, profile: str, config: Config) -> list[Finding]:
    """The F017 finding, unless the configuration turns it off."""
    level = config.level("F017", "openai" if profile == AUTO else profile, path)
    if level is None:
        return []
    return [Finding(path, line, column, "F017", codes.RULES["F017"].name, level, message)]
