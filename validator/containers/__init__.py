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

# The documentation of the code this room reports itself (`orvalidate rule F017`).
CODE_DOCS = {
    "F017": """F017 container-unreadable (error under every profile).

A VCR.py cassette (`.yaml`, `.yml`) or HAR file (`.har`) holds recorded HTTP exchanges;
orvalidate checks every one whose request path ends in `/responses` and whose response is
`text/event-stream`. F017 is reported, at the place of the problem, when the file is not
YAML or JSON, is not a cassette (no `interactions` list) or a HAR (no `log.entries` list),
or when such a stream's body cannot be decoded (bad base64, a corrupt gzip body, a HAR entry
whose `content.text` was not recorded). A container with no Responses stream in it is fine.

Fails:  interactions:\n- request: {uri: 'https://api.openai.com/v1/responses'  (unclosed)
Passes: interactions:\n- request: {method: POST, uri: 'https://api.openai.com/v1/responses'}\n  response: ...""",
}
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
