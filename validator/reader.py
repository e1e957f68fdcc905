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
from typing import BinaryIO, Iterable, Iterator, Union

import orjson

from .model import Batch, Comment, Done, Event, Problem, Span, new_record
from .helpers import short
from .payload import SERIALIZED_UP_TO, check_event_shape, decode, is_plain, read_as_written

CHUNK = 1 << 16
BOM = b"\xef\xbb\xbf"
_SSE_EOL = re.compile(rb"\r\n|\r|\n")
SSE_FIELDS = ("event", "data", "id", "retry")
FORMATS = ("sse", "jsonl")
_EXTENSIONS = {".sse": "sse", ".jsonl": "jsonl", ".ndjson": "jsonl"}

Record = Union[Event, Batch, Done, Comment, Problem]


def one_by_one(records: Iterable[Record]) -> Iterator[Record]:
    """The records with each Batch as the events it holds, each as if read alone."""
    for record in records:
        if type(record) is Batch:
            yield from map(record.event, range(len(record.payloads)))
        else:
            yield record


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


def read_sse(stream: BinaryIO, path: str) -> Iterator[Record]:
    """Parse an event stream: dispatch at a blank line, join `data:` lines with LF.

    Most blocks are `event: <type>` (or nothing), one `data: <object>` and a blank line:
    `_quick_block` reads those from the bytes at once, and named blocks of one shape that
    follow each other come as one Batch (see `_alike`); any other line is read by `_sse_line`.
    """
    block = _Block()
    line_no = 0
    terminated = True
    alike: list[dict] = []  # payloads of one shape, in blocks from line `first` on
    first, keys, kind, name, named = 0, (), "", None, b""
    for lines, offset, terminated in _line_batches(stream, cr_ends_lines=True):
        last = len(lines) - 1
        counted = 0  # `offset` is that of lines[counted]; found when a line needs it
        i = 0
        while i <= last:
            raw = lines[i]
            if block.start is None and not block.comments and not block.problems:
                quick = _quick_block(lines, i)
                if quick is not None:  # (any other line ends a batch: its blocks follow each other)
                    value, sse_event, taken = quick
                    if alike and value["type"] == kind and sse_event == name and tuple(value) == keys:
                        alike.append(value)
                    else:
                        if alike:
                            yield _alike(path, first, 3, name, alike)
                        alike = _start(value) if sse_event is not None else []
                        if alike:
                            first, keys, kind, name, named = line_no + 1, tuple(value), value["type"], sse_event, raw
                        else:
                            yield _event(
                                value, new_record(Span, (path, line_no + 1, 1)), sse_event, sse_event is not None
                            )
                    value = None  # type: ignore[assignment]  # not kept while the next is read
                    if alike:
                        taken += _more_alike(lines, i + taken, named, kind, keys, alike)
                    line_no += taken
                    i += taken
                    continue
            if alike:
                yield _alike(path, first, 3, name, alike)
                alike = []
            line_no += 1
            if raw:
                offset += (
                    sum(map(len, lines[counted:i])) + i - counted
                )  # a batch of several lines holds LF-ended lines only
                counted = i
                _sse_line(block, raw, offset, Span(path, line_no, 1))
            else:
                yield from _dispatch(block, path, unterminated=False)
                block = _Block()
            i += 1
        lines = None  # type: ignore[assignment]
        if alike:
            yield _alike(path, first, 3, name, alike)
            alike = []
    if block.data or block.comments or block.problems:
        yield from _dispatch(block, path, unterminated=not terminated or bool(block.data))


def _more_alike(lines: list, i: int, named: bytes, kind: str, keys: tuple, alike: list[dict]) -> int:
    """How many of lines[i:] are blocks like those in `alike` (`event:` line `named`, keys,
    type, bytes that need no closer look), added to it in one loop: most of a capture."""
    loads, dumps, JSONDecodeError = orjson.loads, orjson.dumps, orjson.JSONDecodeError
    j, end = i, len(lines) - 2
    while j < end and lines[j] == named and not lines[j + 2]:
        data = lines[j + 1]
        if data[:6] != b"data: ":
            break
        data = data[6:]
        try:
            value = loads(data)
        except JSONDecodeError:
            break
        if type(value) is not dict or tuple(value) != keys or value["type"] != kind:
            break
        if (len(data) >= SERIALIZED_UP_TO or dumps(value) != data) and not read_as_written(value, data):
            break
        alike.append(value)
        j += 3
    return j - i


def _start(value: dict) -> list[dict]:
    """[value] when it may begin a Batch (its type a string, nothing `_event` would look at), else []."""
    return [value] if type(value["type"]) is str and is_plain(value) else []


def _alike(path: str, line: int, step: int, name: str | None, payloads: list[dict]) -> Record:
    """Events of one shape that followed each other from `line` on, `step` lines apart: a
    Batch, or the Event when there is one."""
    span = new_record(Span, (path, line, 1))
    return Event(span, payloads[0], name) if len(payloads) == 1 else Batch(span, step, name, payloads)


def _quick_block(lines: list, i: int) -> tuple[dict, str | None, int] | None:
    """(the payload, the SSE name, lines it took) when lines[i:] start an ordinary block
    whose bytes need no closer look (payload.read_as_written), else None: then the lines are read one
    by one, which finds and words whatever there is. It reports nothing, so it can word
    nothing differently."""
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
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(value) is not dict or "type" not in value:
        return None
    if (len(data) >= SERIALIZED_UP_TO or orjson.dumps(value) != data) and not read_as_written(value, data):
        return None
    try:
        sse_event = name.decode("utf-8") if name is not None else None
    except UnicodeDecodeError:
        return None
    return value, sse_event, taken


def _event(value: dict, span: Span, sse_event: str | None, has_event_field: bool) -> Event:
    """The Event of a line or block the quick path parsed: a plain one (a delta) as it
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


def read_jsonl(stream: BinaryIO, path: str) -> Iterator[Record]:
    """One event per non-blank line: the bare event, `{"data": {...}}` or `{"event", "data"}`;
    lines of one shape that follow each other come as one Batch. A line written as orjson
    writes it back needs no closer look; only the others pay for their offset, CR and blanks."""
    line_no = 0
    alike: list[dict] = []  # payloads of one shape, on the lines from `first` on
    first, keys, kind = 0, (), None
    loads, dumps, JSONDecodeError = orjson.loads, orjson.dumps, orjson.JSONDecodeError
    for lines, offset, _ in _line_batches(stream):
        counted = 0  # `offset` is that of lines[counted]
        for k, raw in enumerate(lines):
            try:
                value = loads(raw)
            except JSONDecodeError:
                value = None
            if type(value) is not dict or len(raw) >= SERIALIZED_UP_TO or dumps(value) != raw:
                offset += sum(map(len, lines[counted:k])) + k - counted
                counted = k
                if raw[-1:] == b"\r":
                    raw = raw[:-1]
                blank = not raw or (raw[0] in _BLANK_BYTES and raw.isspace())
                if blank or type(value) is not dict or "type" not in value or not read_as_written(value, raw):
                    if alike:  # a batch's lines follow each other
                        yield _alike(path, first, 1, None, alike)
                        alike = []
                    if not blank:
                        at = line_no + k + 1
                        yield _jsonl_event(raw, offset, new_record(Span, (path, at, 1)), at, path)
                    continue
            elif "type" not in value:
                if alike:
                    yield _alike(path, first, 1, None, alike)
                    alike = []
                at = line_no + k + 1
                yield _jsonl_event(
                    raw,
                    offset + sum(map(len, lines[counted:k])) + k - counted,
                    new_record(Span, (path, at, 1)),
                    at,
                    path,
                )
                continue
            if alike and value["type"] == kind and tuple(value) == keys:
                alike.append(value)
                continue
            if alike:
                yield _alike(path, first, 1, None, alike)
            alike = _start(value)
            if alike:
                first, keys, kind = line_no + k + 1, tuple(value), value["type"]
            else:
                yield _event(value, new_record(Span, (path, line_no + k + 1, 1)), None, True)
        # Hold nothing of the last line while the next batch is read: a line of 10 MB would
        # otherwise be kept twice, as bytes and as its payload, while the next one grows.
        raw = value = None
        line_no += len(lines)
        lines = None  # type: ignore[assignment]
        if alike:
            yield _alike(path, first, 1, None, alike)
            alike = []


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


def read(stream: BinaryIO, path: str, fmt: str | None = None) -> tuple[str, Iterator[Record]]:
    """The capture's format and its records; with no format, the extension or first bytes say."""
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
    return fmt, (read_sse(stream, path) if fmt == "sse" else read_jsonl(stream, path))


CODE_DOCS: dict[str, str] = {  # what the codes reported here mean: `orvalidate rule CODE` prints it
    "F001": """F001 invalid-utf8 (error under every profile).

An event stream is UTF-8 by definition. Each line holding bytes that are not UTF-8 gives one
finding with the byte offset of the first bad byte; the bytes are read as U+FFFD and reading
goes on, so the rest of the capture is still checked.

Fails:  data: {"type":"response.output_text.delta","delta":"caf\\xe9",...}  (a Latin-1 byte)
Passes: data: {"type":"response.output_text.delta","delta":"café",...}  (UTF-8)""",
    "F003": """F003 unterminated-event (warning under every profile).

An SSE event is dispatched at a blank line; a client that follows the specification drops a
last block that has none. The block is still checked.

Fails:  ...data: {"type":"response.completed",...}<end of file>
Passes: ...data: {"type":"response.completed",...}\\n\\n<end of file>""",
    "F004": """F004 unknown-sse-field (warning under every profile).

SSE knows the fields `event`, `data`, `id` and `retry`; a client ignores any other line, so
whatever it carries is lost. Comments start with `:`.

Fails:  evnt: response.created
Passes: event: response.created""",
    "F005": """F005 invalid-retry (warning under every profile).

`retry:` sets the reconnection time in milliseconds and must be ASCII digits only; a client
ignores any other value.

Fails:  retry: 3s
Passes: retry: 3000""",
}
