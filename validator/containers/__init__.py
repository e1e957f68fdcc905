"""Streams inside other files: VCR.py cassettes and HAR files.

Each container kind reads its file into `Entry`s, one per recorded exchange that is a
Responses stream (a request path ending in `/responses`, a `text/event-stream` response),
each with the stream's bytes and where it sits in the file; `check.py` runs every one through
the same reader and engine as a capture file and points the findings back into the container.
This module stays light: `orvalidate capture.sse` imports it, never YAML.
"""

from __future__ import annotations

from typing import NamedTuple

KINDS = ("cassette", "har")
_EXTENSIONS = {".har": "har", ".yaml": "cassette", ".yml": "cassette"}


class Entry(NamedTuple):
    """One Responses stream inside a container."""

    position: int  # 0-based: interactions[position] of a cassette, log.entries[position] of a HAR
    body: bytes | None  # the stream's bytes, decoded; None when they cannot be (see `error`)
    line: int  # 1-based: where findings about the stream point
    column: int
    literal_line: int | None = None  # a YAML literal block: stream line n is file line literal_line + n
    error: str | None = None  # why the body cannot be read (an F017 at line:column)


class Unreadable(Exception):
    """The container itself cannot be read (not YAML/JSON, not a cassette or HAR): one F017."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def kind_for(path: str, input_format: str | None = None) -> str | None:
    """The container kind `--input-format` names, else the extension's; None for a capture."""
    if input_format is not None:
        return input_format if input_format in KINDS else None
    dot = path.rfind(".")
    return _EXTENSIONS.get(path[dot:].lower()) if dot >= 0 else None


def check_container(path: str, kind: str, **options):  # -> api.FileReport
    """Check every Responses stream in the container file at `path` (see check.py)."""
    from .check import check_file

    return check_file(path, kind, **options)
