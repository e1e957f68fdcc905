"""Bytes -> Events with locations: SSE by the WHATWG event-stream rules, or JSONL.

The reader is streaming: it reads fixed-size chunks and keeps only the current line and the
current SSE block, so a capture of gigabytes costs no more memory than its longest event. From
a pipe or a terminal it reads what has arrived (`read1`), not a full chunk, so each event is
checked as soon as its bytes are there (`curl -N ... | orvalidate -`).
"""

from __future__ import annotations

import os
import re
import stat
from typing import BinaryIO, Iterator, Protocol, Union

from .model import Comment, Done, Event, Problem, Span, new_record
from .payload import check_event_shape, decode, is_plain, quick_decode, short

CHUNK = 1 << 16
BOM = b"\xef\xbb\xbf"
_SSE_EOL = re.compile(rb"\r\n|\r|\n")
SSE_FIELDS = ("event", "data", "id", "retry")
FORMATS = ("sse", "jsonl")
_EXTENSIONS = {".sse": "sse", ".jsonl": "jsonl", ".ndjson": "jsonl"}

Record = Union[Event, Done, Comment, Problem]


class Taker(Protocol):
    """What the consumer offers the reader (fastpath.HotRun): while `armed`, the lines it
    records itself, without a record (`take_lines(lines, i, line_no, sse)` says how many
    of lines[i:] it took; line_no lines came before lines[i])."""

    armed: bool

    def take_lines(self, lines: list[bytes], i: int, line_no: int, sse: bool) -> int: ...


def format_for(path: str) -> str | None:
    """The capture format named by a file's extension, if any."""
    for ext, fmt in _EXTENSIONS.items():
        if path.lower().endswith(ext):
            return fmt
    return None


def sniff(head: bytes) -> str:
    """Guess the format from the first bytes: JSONL starts with `{`, anything else is SSE."""
    return "jsonl" if head.removeprefix(BOM).lstrip()[:1] in (b"{", b"[") else "sse"


def _first_chunk(stream: BinaryIO) -> tuple[bytes, int]:
    """(the first bytes after one leading BOM, their offset): a pipe may deliver the BOM's
    three bytes over several reads."""
    head = b""
    while len(head) < 3:
        more = stream.read(CHUNK)
        if not more:
            break
        head += more
    offset = 3 if head.startswith(BOM) else 0
    return head[offset:] or stream.read(CHUNK), offset


def _lines(
    stream: BinaryIO, eol: re.Pattern, chunk: bytes | None = None, offset: int = 0
) -> Iterator[tuple[bytes, int, bool]]:
    """Yield (line without its end, byte offset of its start, whether a line end followed it).

    A CR that ends a chunk ends its line at once; an LF starting the next chunk is then the
    second half of that CRLF and is skipped. One leading BOM is skipped, unless the caller
    has read the start already and hands over `chunk`, the bytes at `offset`.
    """
    if chunk is None:
        chunk, offset = _first_chunk(stream)
    pending: list[bytes] = []
    skip_lf = False
    while chunk:
        pos = 0
        if skip_lf:
            skip_lf = False
            if chunk[:1] == b"\n":
                pos = 1
                offset += 1
        for match in eol.finditer(chunk, pos):
            piece = chunk[pos : match.start()]
            if pending:
                pending.append(piece)
                piece = b"".join(pending)
                pending = []
            yield piece, offset, True
            offset += len(piece) + match.end() - match.start()
            pos = match.end()
        if pos < len(chunk):
            pending.append(chunk[pos:])
            if len(pending) > LONG_LINE // CHUNK:
                _return_big_blocks()
        elif chunk[-1:] == b"\r":
            skip_lf = True
        chunk = stream.read(CHUNK)
    if pending:
        yield b"".join(pending), offset, False


def _text(line: bytes, offset: int, span: Span, problems: list[Problem]) -> str:
    """Decode one line as UTF-8; bad bytes are F001 (with their byte offset) and become U+FFFD."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = len(line[: exc.start].decode("utf-8", "replace")) + 1
        problems.append(
            Problem(
                "F001",
                f"invalid UTF-8 byte {line[exc.start]:#04x} at byte offset {offset + exc.start}",
                span=Span(span.path, span.line, column),
            )
        )
        return line.decode("utf-8", "replace")


class _Block:
    """The SSE block being read: its data lines with their places, its event name, comments."""

    __slots__ = ("start", "event", "data", "places", "comments", "problems")

    def __init__(self) -> None:
        self.start: Span | None = None
        self.event: str | None = None
        self.data: list[str] = []
        self.places: list[tuple[int, int]] = []  # (line, column of the value) per data line
        self.comments: list[tuple[Span, str]] = []
        self.problems: list[Problem] = []


def read_sse(stream: BinaryIO, path: str, taker: Taker | None = None) -> Iterator[Record]:
    """Parse an event stream: dispatch at a blank line, join `data:` lines with LF.

    Most blocks are `event: <type>` (or nothing), one `data: <object>` and a blank line: the
    `taker` records the run of deltas it follows, `_quick_block` reads the others from the
    bytes at once; any other line is read by `_sse_line`.
    """
    block = _Block()
    line_no = 0
    terminated = True
    for lines, offset, terminated in _line_batches(stream, cr_ends_lines=True):
        last = len(lines) - 1
        i = 0
        while i <= last:
            raw = lines[i]
            if block.start is None and not block.comments and not block.problems:
                taken = taker.take_lines(lines, i, line_no, True) if taker is not None and taker.armed else 0
                if not taken:
                    quick = _quick_block(lines, i, path, line_no)
                    if quick is not None:
                        event, taken = quick
                        yield event
                        event = None  # not kept while the next is read
                if taken:
                    line_no += taken
                    offset += sum(map(len, lines[i : i + taken])) + taken
                    i += taken
                    continue
            line_no += 1
            if raw:
                _sse_line(block, raw, offset, Span(path, line_no, 1))
            else:
                yield from _dispatch(block, path, unterminated=False)
                block = _Block()
            offset += len(raw) + 1  # a batch of several lines holds LF-ended lines only
            i += 1
        lines = None  # type: ignore[assignment]
    if block.data or block.comments or block.problems:
        yield from _dispatch(block, path, unterminated=not terminated or bool(block.data))


def _quick_block(lines: list, i: int, path: str, line_no: int) -> tuple[Event, int] | None:
    """(the event, lines it took) when lines[i:] start an ordinary block whose bytes need no
    closer look (`quick_decode`), else None: then the lines are read one by one, which finds
    and words whatever there is. It reports nothing, so it can word nothing differently."""
    raw = lines[i]
    if raw[:7] == b"event: ":
        if i + 2 >= len(lines) or lines[i + 2] or lines[i + 1][:6] != b"data: ":
            return None
        name: bytes | None = raw[7:]
        data = lines[i + 1][6:]
        taken = 3
    elif raw[:6] == b"data: ":
        if i + 1 >= len(lines) or lines[i + 1]:
            return None
        name, data, taken = None, raw[6:], 2
    else:
        return None
    value = quick_decode(data)
    if value is None or "type" not in value:
        return None
    try:
        sse_event = name.decode("utf-8") if name is not None else None
    except UnicodeDecodeError:
        return None
    return _event(value, new_record(Span, (path, line_no + 1, 1)), sse_event, name is not None), taken


def _event(value: dict, span: Span, sse_event: str | None, has_event_field: bool) -> Event:
    """The Event of a line or block that `quick_decode` parsed: a plain one (a delta) as it
    is, any other after `check_event_shape`."""
    if type(value["type"]) is str and is_plain(value):
        return Event(span, value, sse_event, has_event_field)
    payload, shape, sdk_cased = check_event_shape(value, span)
    return Event(span, payload, sse_event, has_event_field, (), tuple(shape), sdk_cased)


def _sse_line(block: _Block, raw: bytes, offset: int, span: Span) -> None:
    """Read one non-blank line into the block: a field, a comment or a problem."""
    line = _text(raw, offset, span, block.problems)
    if line[0] == ":":
        text = line[1:]
        block.comments.append((span, text[1:] if text[:1] == " " else text))
        return
    field, colon, value = line.partition(":")
    if colon and value[:1] == " ":
        value = value[1:]
    if field == "data":
        if block.start is None:
            block.start = span
        block.data.append(value)
        block.places.append((span.line, len(line) - len(value) + 1))
    elif field == "event":
        if block.start is None:
            block.start = span
        block.event = value
    elif field == "retry":
        if not (value.isascii() and value.isdigit()):
            block.problems.append(Problem("F005", f"`retry:` must be ASCII digits, found `{short(value)}`", span=span))
    elif field != "id":
        block.problems.append(
            Problem(
                "F004",
                f"unknown SSE field `{short(field)}`: a client ignores this line "
                "(fields are event, data, id, retry; comments start with `:`)"
                + (" -- is this JSONL? try --input-format jsonl" if field[:1] in "{[" else ""),
                span=span,
            )
        )


def _dispatch(block: _Block, path: str, unterminated: bool) -> Iterator[Record]:
    """Turn a finished block into records; a block without data yields its comments only."""
    yield from block.problems
    if not block.data:
        for span, text in block.comments:
            yield Comment(span, text)
        return
    span = block.start or block.comments[0][0]
    data = "\n".join(block.data)
    if data == "[DONE]":
        for comment_span, text in block.comments:
            yield Comment(comment_span, text)
        if unterminated:
            yield Problem("F003", "the `[DONE]` block has no blank line after it", span=span)
        yield Done(span)
        return
    places = block.places

    def locate(pos: int) -> Span:
        for value, (line, column) in zip(block.data, places):
            if pos <= len(value):
                return Span(path, line, column + pos)
            pos -= len(value) + 1
        line, column = places[-1]
        return Span(path, line, column + len(block.data[-1]))

    value, problems = decode(data, locate)
    payload = None
    sdk_cased = False
    if value is not None or not problems:
        payload, shape, sdk_cased = check_event_shape(value, span)
        problems += shape
    if unterminated:
        problems.append(
            Problem("F003", "the last event has no blank line after it: a spec-compliant client drops it", span=span)
        )
    yield Event(
        span=span,
        payload=payload,
        sse_event=block.event,
        has_event_field=block.event is not None,
        comments=tuple(block.comments),
        problems=tuple(problems),
        sdk_cased=sdk_cased,
    )


_BLANK_BYTES = b" \t\r\n\x0b\x0c"


LONG_LINE = 1 << 20


def _return_big_blocks() -> None:
    """Make glibc give freed big blocks back at once, at the first line over LONG_LINE.

    glibc raises its mmap threshold each time it frees a mapped block, so the next blocks of
    that size come from the heap and stay in the resident size after they are freed: on a
    capture of 10 MB events the peak would count several dead copies. A fixed threshold keeps
    each long line's memory to the time it is used. Elsewhere (musl, macOS) nothing changes."""
    global _RETURNING
    if _RETURNING:
        return
    _RETURNING = True
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-3, LONG_LINE)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


_RETURNING = False


def _line_batches(stream: BinaryIO, cr_ends_lines: bool = False) -> Iterator[tuple[list, int, bool]]:
    """Batches of lines split at LF (the LF gone), the byte offset of the first, and whether
    the last one ended with a line end: one generator step per 64 KiB, not per line. A BOM at
    the start is skipped. A line longer than a chunk comes as a bytearray (orjson reads it as
    it is). For SSE a CR ends a line too: from the first chunk holding one, the rest of the
    stream is split line by line by `_lines`, one line a batch."""
    chunk, offset = _first_chunk(stream)
    pending = bytearray()  # a line begun in an earlier chunk; grown in place, never copied
    while chunk:
        if cr_ends_lines and b"\r" in chunk:
            for line, at, ended in _lines(stream, _SSE_EOL, bytes(pending) + chunk, offset):
                yield [line], at, ended
            return
        lines: list = chunk.split(b"\n")
        if len(lines) == 1:  # no line end in this chunk: a long line goes on
            pending += chunk
            if len(pending) > LONG_LINE:
                _return_big_blocks()
            chunk = stream.read(CHUNK)
            continue
        if pending:
            pending += lines[0]
            lines[0], pending = pending, bytearray()
        last = lines.pop()
        if last:
            pending += last
        yield lines, offset, True
        offset += sum(map(len, lines)) + len(lines)
        lines = []  # the batch is read: its lines are not kept while a long one grows
        chunk = stream.read(CHUNK)
    if pending:
        yield [pending], offset, False


def read_jsonl(stream: BinaryIO, path: str, taker: Taker | None = None) -> Iterator[Record]:
    """One event per non-blank line: the bare event, `{"data": {...}}` or `{"event", "data"}`."""
    line_no = 0
    for lines, offset, _ in _line_batches(stream):
        i, count = 0, len(lines)
        while i < count:
            if taker is not None and taker.armed:
                taken = taker.take_lines(lines, i, line_no, False)
                if taken:
                    line_no += taken
                    offset += sum(map(len, lines[i : i + taken])) + taken
                    i += taken
                    continue
            raw = lines[i]
            i += 1
            line_no += 1
            at = offset
            offset += len(raw) + 1
            if raw[-1:] == b"\r":
                raw = raw[:-1]
            if not raw or (raw[0] in _BLANK_BYTES and raw.isspace()):
                continue
            value = quick_decode(raw)  # most lines: parsed from the bytes, no text copy made
            if value is not None and "type" in value:
                event = _event(value, new_record(Span, (path, line_no, 1)), None, True)
            else:
                event = _jsonl_event(raw, at, new_record(Span, (path, line_no, 1)), line_no, path)
            # Hold nothing of this line while the next one is read: a line of 10 MB would
            # otherwise be kept twice, as bytes and as its payload, while the next one grows.
            raw = value = None
            yield event
            event = None
        lines = None


def _jsonl_event(raw: bytes, offset: int, span: Span, line_no: int, path: str) -> Event:
    """A JSONL line that needs the closer look: F001, F002, F007, F008, the wrappers."""
    problems: list[Problem] = []
    line = _text(raw, offset, span, problems)
    value, parse_problems = decode(line, lambda pos: Span(path, line_no, pos + 1))
    problems += parse_problems
    sse_event = None
    if (
        isinstance(value, dict)
        and "type" not in value
        and isinstance(value.get("data"), dict)
        and set(value) <= {"data", "event", "id", "retry"}
    ):
        sse_event = value.get("event") if isinstance(value.get("event"), str) else None
        value = value["data"]
    payload = None
    sdk_cased = False
    if value is not None or not parse_problems:
        payload, shape, sdk_cased = check_event_shape(value, span)
        problems += shape
    return Event(span=span, payload=payload, sse_event=sse_event, problems=tuple(problems), sdk_cased=sdk_cased)


class _Prefixed:
    """A binary stream with its first bytes already read (to sniff the format) put back."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            return head
        return self._stream.read(size)


class _Arrived:
    """A pipe or terminal read for what has arrived: `read(n)` returns as soon as any bytes
    are there (one `read1`), where a buffered `read(n)` waits for n of them or the end."""

    def __init__(self, stream: BinaryIO) -> None:
        self.read = stream.read1  # type: ignore[attr-defined]


def _as_it_arrives(stream: BinaryIO) -> BinaryIO:
    """The stream itself for a regular file (or anything without a descriptor): it is read in
    full chunks; else `_Arrived` when the stream can `read1`."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, AttributeError, ValueError):  # io.UnsupportedOperation is an OSError and a ValueError
        return stream
    if stat.S_ISREG(mode) or not hasattr(stream, "read1"):
        return stream
    return _Arrived(stream)  # type: ignore[return-value]


def read(stream: BinaryIO, path: str, fmt: str | None = None, taker: Taker | None = None) -> tuple[str, Iterator[Record]]:
    """The capture's format and its records; with no format, the extension or first bytes say.
    Lines that `taker` records (see Taker) are not among the records."""
    stream = _as_it_arrives(stream)
    fmt = fmt or format_for(path)
    if fmt is None:
        head = stream.read(CHUNK)
        while head and not head.removeprefix(BOM).strip():  # a pipe may deliver a few bytes at a time
            more = stream.read(CHUNK)
            if not more:
                break
            head += more
        fmt = sniff(head)
        stream = _Prefixed(head, stream)  # type: ignore[assignment]
    return fmt, (read_sse(stream, path, taker) if fmt == "sse" else read_jsonl(stream, path, taker))
