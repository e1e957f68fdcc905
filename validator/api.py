"""The library: check a path or a live stream of events, and the report both give.

`validate_path` is what the CLI runs; `StreamValidator` lets a proxy or a test harness feed
events (dicts) one at a time and see findings as they arise.
"""

from __future__ import annotations

import os
from typing import BinaryIO, Callable, Iterator

from .config import DEFAULT, Config
from .engine import AUTO, FileChecker
from .model import Done, Event, FileReport, Finding, Report, Span, StreamSummary
from .payload import check_event_shape
from .reader import format_for, read

CAPTURE_EXTENSIONS = (".sse", ".jsonl", ".ndjson")
NO_CAPTURES = "no captures (*.sse, *.jsonl, *.ndjson), cassettes or HAR files"  # what a search found none of


class CaptureError(Exception):
    """A path that cannot be checked at all (missing, unreadable, no captures): exit 2."""


def iter_captures(path: str, config: Config = DEFAULT, input_format: str | None = None) -> Iterator[str]:
    """The files a path names: itself, or the captures, cassettes and HAR files under a
    directory (filtered by the configuration's `include` and `exclude`), in sorted order."""
    if os.path.isdir(path):
        from .discovery import under

        found = list(under(path, config, input_format))
        if not found:
            raise CaptureError(f"{path}: {NO_CAPTURES} in this directory")
        yield from found
    else:
        try:
            os.stat(path)
        except OSError as exc:  # missing, a dangling or looping link, no permission
            raise CaptureError(f"{path}: {(exc.strerror or str(exc)).lower()}") from None
        yield path


def check_stream(
    stream: BinaryIO,
    path: str,
    profile: str = AUTO,
    input_format: str | None = None,
    strict: bool = False,
    starting_after: int | None = None,
    config: Config = DEFAULT,
) -> Iterator[Finding | FileReport]:
    """Check one capture read from `stream`: findings as they arise, then the FileReport."""
    checker = FileChecker(path, profile, strict, starting_after, config)
    fmt, records = read(stream, path, input_format)
    findings: list[Finding] = []
    for record in records:
        for finding in checker.feed(record):
            findings.append(finding)
            yield finding
        record = None  # type: ignore[assignment]  # not kept while the next one is read
    for finding in checker.close():
        findings.append(finding)
        yield finding
    settled = checker.settle(findings)
    yield from (f for f in settled if f.code == "F016")
    late = len(findings) - sum(1 for f in settled if f.code != "F016")
    yield FileReport(path, fmt, checker.streams, sorted(settled, key=Finding.sort_key), late)


def drain(items: Iterator[Finding | FileReport], on_finding: Callable[[Finding], None] | None = None) -> FileReport:
    """Run a `check_stream` to its FileReport, handing each finding to `on_finding` as it arises."""
    for item in items:
        if isinstance(item, FileReport):
            return item
        if on_finding is not None:
            on_finding(item)
    raise AssertionError("check_stream ends with a FileReport")


def check_file(path: str, **options) -> FileReport:
    """Check one capture file, or the streams of a cassette or HAR file; raises CaptureError
    when it cannot be read."""
    from .containers import kind_for

    kind = kind_for(path, options.get("input_format"))
    if kind is not None:
        from .containers import check_container

        return check_container(path, kind, **options)
    try:
        with open(path, "rb") as stream:
            return drain(check_stream(stream, path, **options))
    except OSError as exc:
        raise CaptureError(f"{path}: {exc.strerror or exc}") from None


def validate_path(path: str | os.PathLike, profile: str = AUTO, **options) -> Report:
    """Check a capture file, or every capture under a directory, and return the report."""
    path = os.fspath(path)
    found = iter_captures(path, options.get("config", DEFAULT), options.get("input_format"))
    return Report([check_file(p, profile=profile, **options) for p in found])


class StreamValidator:
    """Check a live stream event by event: `feed(event_dict)` then `close()`.

    Each call returns the findings it newly knows. Locations are virtual: event n of the
    stream is line n (1-based) of `<stream>`, as if the events were JSONL lines.
    """

    def __init__(
        self,
        profile: str = AUTO,
        strict: bool = False,
        starting_after: int | None = None,
        name: str = "<stream>",
        config: Config = DEFAULT,
    ) -> None:
        self._name = name
        self._checker = FileChecker(name, profile, strict, starting_after, config)
        self._count = 0

    def feed(self, event: object) -> list[Finding]:
        """Check one event (a dict as decoded from the wire; the string "[DONE]" is the sentinel)."""
        self._count += 1
        span = Span(self._name, self._count, 1)
        if event == "[DONE]":
            return self._checker.feed(Done(span))
        payload, problems, sdk_cased = check_event_shape(event, span)
        return self._checker.feed(Event(span, payload, problems=tuple(problems), sdk_cased=sdk_cased))

    def close(self) -> list[Finding]:
        return self._checker.close()

    @property
    def streams(self) -> list[StreamSummary]:
        return self._checker.streams


__all__ = ["CaptureError", "FileReport", "Report", "StreamValidator", "check_file", "validate_path", "format_for"]
