"""The reader, as tables of (bytes, expected records): the WHATWG event-stream parsing rules and JSONL.

Each record is written compactly:

    ("event", line, column, payload, sse_event, problem codes)   an Event (ANY: payload not compared)
    ("done", line)                                               the `data: [DONE]` sentinel
    ("comment", line, text)                                      a comment block with no data
    ("problem", code, line, column)                              a reader problem outside any event
"""

from __future__ import annotations

import io
import math
import re
from unittest.mock import ANY

import pytest

from orvalidate import reader
from orvalidate.model import Batch, Comment, Done, Event, Problem, Span

PATH = "capture.sse"


def compact(record) -> tuple:
    if isinstance(record, Event):
        return (
            "event",
            record.span.line,
            record.span.column,
            record.payload,
            record.sse_event,
            tuple(p.code for p in record.problems),
        )
    if isinstance(record, Done):
        return ("done", record.span.line)
    if isinstance(record, Comment):
        return ("comment", record.span.line, record.text)
    assert isinstance(record, Problem), record
    return ("problem", record.code, record.span.line, record.span.column)


def expand(records) -> list:
    """The records with each Batch as the events it holds (a Batch is how the reader hands
    over events of one shape that follow each other; each is the event it would read alone)."""
    return list(reader.one_by_one(records))


def read_all(data: bytes, fmt: str | None = "sse", path: str = PATH, chunk: int | None = None) -> list:
    stream = Tiny(data, chunk) if chunk else io.BytesIO(data)
    _, records = reader.read(stream, path, fmt)
    return expand(records)


def records(data: bytes, fmt: str | None = "sse", path: str = PATH, chunk: int | None = None) -> list[tuple]:
    return [compact(r) for r in read_all(data, fmt, path, chunk)]


class Tiny:
    """A binary stream whose read() returns at most `size` bytes, whatever was asked."""

    def __init__(self, data: bytes, size: int) -> None:
        self._data = data
        self._size = size
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        take = self._size if n < 0 else min(n, self._size)
        out = self._data[self._pos : self._pos + take]
        self._pos += len(out)
        return out


A = {"type": "a"}
B = {"type": "b"}
EA = b'data: {"type":"a"}'
EB = b'data: {"type":"b"}'


def ev(line: int, payload=A, sse_event=None, codes=(), column: int = 1) -> tuple:
    return ("event", line, column, payload, sse_event, tuple(codes))


# ------------------------------------------------------------------------------------------------
# SSE

SSE_CASES = [
    # line ends
    ("lf", EA + b"\n\n", [ev(1)]),
    ("crlf", EA + b"\r\n\r\n", [ev(1)]),
    ("cr", EA + b"\r\r", [ev(1)]),
    ("lf-two-events", EA + b"\n\n" + EB + b"\n\n", [ev(1), ev(3, B)]),
    ("crlf-two-events", EA + b"\r\n\r\n" + EB + b"\r\n\r\n", [ev(1), ev(3, B)]),
    ("cr-two-events", EA + b"\r\r" + EB + b"\r\r", [ev(1), ev(3, B)]),
    (
        "mixed",
        b"event: a\r\n" + EA + b"\r\r" + EB + b"\n\n",
        [ev(1, A, "a"), ev(4, B)],
    ),
    ("cr-then-crlf", EA + b"\r\r\n" + EB + b"\n\n", [ev(1), ev(3, B)]),
    ("lf-then-cr", EA + b"\n\r" + EB + b"\n\n", [ev(1), ev(3, B)]),
    ("several-blank-lines", b"\n\n" + EA + b"\n\n\n\n" + EB + b"\n\n", [ev(3), ev(7, B)]),
    # byte order mark: one is stripped, a second is part of the first field name
    ("bom", b"\xef\xbb\xbf" + EA + b"\n\n", [ev(1)]),
    ("bom-crlf", b"\xef\xbb\xbf" + EA + b"\r\n\r\n", [ev(1)]),
    ("second-bom-not-stripped", b"\xef\xbb\xbf\xef\xbb\xbf" + EA + b"\n\n", [("problem", "F004", 1, 1)]),
    ("bom-not-at-start-is-not-stripped", b"\n\xef\xbb\xbf" + EA + b"\n\n", [("problem", "F004", 2, 1)]),
    # comments: not events; a comment block alone is a Comment record
    ("comment", b": OPENROUTER PROCESSING\n\n" + EA + b"\n\n", [("comment", 1, "OPENROUTER PROCESSING"), ev(3)]),
    ("comment-no-space", b":keep-alive\n\n", [("comment", 1, "keep-alive")]),
    ("comment-one-space-removed", b":  two spaces\n\n", [("comment", 1, " two spaces")]),
    ("comment-empty", b":\n\n", [("comment", 1, "")]),
    ("comments-in-one-block", b": a\n: b\n\n", [("comment", 1, "a"), ("comment", 2, "b")]),
    ("comment-at-end-unterminated", EA + b"\n\n: bye", [ev(1), ("comment", 3, "bye")]),
    ("comment-inside-event-block", b": hi\n" + EA + b"\n\n", [ev(2)]),
    # fields
    (
        "event-field",
        b"event: response.created\n" + b'data: {"type":"response.created"}\n\n',
        [ev(1, {"type": "response.created"}, "response.created")],
    ),
    ("event-field-after-data", EA + b"\nevent: a\n\n", [ev(1, A, "a")]),
    ("event-no-space", b"event:a\n" + EA + b"\n\n", [ev(1, A, "a")]),
    ("only-one-space-removed", b"event:  a\n" + EA + b"\n\n", [ev(1, A, " a")]),
    ("data-no-space", b'data:{"type":"a"}\n\n', [ev(1)]),
    ("data-two-spaces", b'data:  {"type":"a"}\n\n', [ev(1)]),
    ("id-field", b"id: 7\n" + EA + b"\n\n", [ev(2)]),
    ("id-field-alone", b"id: 7\n\n", []),
    ("retry-field", b"retry: 1000\n" + EA + b"\n\n", [ev(2)]),
    ("retry-alone", b"retry: 1000\n\n", []),
    ("event-without-data", b"event: a\n\n", []),
    ("event-without-data-at-end", b"event: a\n", []),
    ("blank-lines-only", b"\n\n\r\n\r", []),
    ("empty", b"", []),
    # a line with no colon is a field with an empty value
    ("data-alone-is-empty-line", b"data\n" + EA + b"\n\n", [ev(1)]),
    ("data-alone-only", b"data\n\n", [ev(1, None, None, ("F002",))]),
    ("event-alone", b"event\n" + EA + b"\n\n", [ev(1, A, "")]),
    # several data lines are joined with LF
    ("multi-line-data", b'data: {"type":\ndata: "a"}\n\n', [ev(1)]),
    ("multi-line-data-three", b'data: {\ndata: "type"\ndata: :"a"}\n\n', [ev(1)]),
    ("multi-line-data-crlf", b'data: {"type":\r\ndata: "a"}\r\n\r\n', [ev(1)]),
    # unterminated last block: F003, still read
    ("unterminated-no-eol", EA, [ev(1, A, None, ("F003",))]),
    ("unterminated-one-eol", EA + b"\n", [ev(1, A, None, ("F003",))]),
    ("unterminated-crlf", EA + b"\r\n", [ev(1, A, None, ("F003",))]),
    ("unterminated-second", EA + b"\n\n" + EB, [ev(1), ev(3, B, None, ("F003",))]),
    ("unterminated-with-event", b"event: a\n" + EA, [ev(1, A, "a", ("F003",))]),
    # unknown fields: F004, the line is ignored
    ("unknown-field", b"foo: bar\n" + EA + b"\n\n", [("problem", "F004", 1, 1), ev(2)]),
    ("unknown-field-no-colon", b"hello\n" + EA + b"\n\n", [("problem", "F004", 1, 1), ev(2)]),
    ("field-names-are-case-sensitive", b'Data: {"type":"a"}\n\n', [("problem", "F004", 1, 1)]),
    ("unknown-field-alone", b"x-request-id: 42\n\n", [("problem", "F004", 1, 1)]),
    ("space-before-colon", b'data : {"type":"a"}\n\n', [("problem", "F004", 1, 1)]),
    # retry: ASCII digits only
    ("retry-unit", b"retry: 3s\n\n", [("problem", "F005", 1, 1)]),
    ("retry-empty", b"retry:\n\n", [("problem", "F005", 1, 1)]),
    ("retry-negative", b"retry: -1\n\n", [("problem", "F005", 1, 1)]),
    ("retry-non-ascii-digits", "retry: \u0661\u0662\n\n".encode(), [("problem", "F005", 1, 1)]),
    ("retry-bad-before-event", b"retry: soon\n" + EA + b"\n\n", [("problem", "F005", 1, 1), ev(2)]),
    # [DONE]
    ("done", b"data: [DONE]\n\n", [("done", 1)]),
    ("done-no-space", b"data:[DONE]\n\n", [("done", 1)]),
    ("done-after-event", EA + b"\n\ndata: [DONE]\n\n", [ev(1), ("done", 3)]),
    ("done-crlf", b"data: [DONE]\r\n\r\n", [("done", 1)]),
    ("done-unterminated", b"data: [DONE]", [("problem", "F003", 1, 1), ("done", 1)]),
    ("done-unterminated-eol", b"data: [DONE]\n", [("problem", "F003", 1, 1), ("done", 1)]),
    ("done-with-comment", b": bye\ndata: [DONE]\n\n", [("comment", 1, "bye"), ("done", 2)]),
    ("done-trailing-space-is-not-done", b"data: [DONE] \n\n", [ev(1, None, None, ("F002",))]),
    ("done-lowercase-is-not-done", b"data: [done]\n\n", [ev(1, None, None, ("F002",))]),
    ("done-two-lines-is-not-done", b"data: [DONE]\ndata: [DONE]\n\n", [ev(1, None, None, ("F002",))]),
    # U+2028, U+2029 and NEL inside JSON strings do not end a line
    ("u2028", b'data: {"type":"a","delta":"x\xe2\x80\xa8y"}\n\n', [ev(1, {"type": "a", "delta": "x\u2028y"})]),
    ("u2029", b'data: {"type":"a","delta":"x\xe2\x80\xa9y"}\n\n', [ev(1, {"type": "a", "delta": "x\u2029y"})]),
    ("nel", b'data: {"type":"a","delta":"x\xc2\x85y"}\n\n', [ev(1, {"type": "a", "delta": "x\x85y"})]),
    ("escaped-newline", b'data: {"type":"a","delta":"x\\ny"}\n\n', [ev(1, {"type": "a", "delta": "x\ny"})]),
    # JSON-level problems travel on the event
    ("invalid-json", b'data: {"type":"a",}\n\n', [ev(1, None, None, ("F002",))]),
    ("truncated-json", b'data: {"type":"a"\n\n', [ev(1, None, None, ("F002",))]),
    ("invalid-json-then-valid", b"data: {\n\n" + EB + b"\n\n", [ev(1, None, None, ("F002",)), ev(3, B)]),
    ("duplicate-key", b'data: {"type":"a","type":"a"}\n\n', [ev(1, A, None, ("F007",))]),
    (
        "duplicate-key-nested",
        b'data: {"type":"a","o":{"k":1,"k":2}}\n\n',
        [ev(1, {"type": "a", "o": {"k": 2}}, None, ("F007",))],
    ),
    (
        "same-key-in-two-objects-is-fine",
        b'data: {"type":"a","o":{"k":1},"p":{"k":2}}\n\n',
        [ev(1, {"type": "a", "o": {"k": 1}, "p": {"k": 2}})],
    ),
    (
        "key-text-in-string-is-fine",
        b'data: {"type":"a","d":"\\"type\\":1"}\n\n',
        [ev(1, {"type": "a", "d": '"type":1'})],
    ),
    ("nan", b'data: {"type":"a","v":NaN}\n\n', [ev(1, ANY, None, ("F008",))]),
    ("infinity", b'data: {"type":"a","v":Infinity}\n\n', [ev(1, ANY, None, ("F008",))]),
    ("minus-infinity", b'data: {"type":"a","v":-Infinity}\n\n', [ev(1, ANY, None, ("F008",))]),
    (
        "sdk-camel-case",
        b'data: {"type":"a","sequenceNumber":1}\n\n',
        [ev(1, {"type": "a", "sequenceNumber": 1}, None, ("F011",))],
    ),
    (
        "sdk-camel-case-item",
        b'data: {"type":"a","item":{"type":"message","callId":"c"}}\n\n',
        [ev(1, {"type": "a", "item": {"type": "message", "callId": "c"}}, None, ("F011",))],
    ),
    (
        "camel-case-in-arguments-is-fine",
        b'data: {"type":"a","arguments":"{\\"itemId\\":1}","metadata":{"itemId":1}}\n\n',
        [ev(1, {"type": "a", "arguments": '{"itemId":1}', "metadata": {"itemId": 1}})],
    ),
    # not an event
    ("array", b"data: []\n\n", [ev(1, None, None, ("F012",))]),
    ("string", b'data: "response.created"\n\n', [ev(1, None, None, ("F012",))]),
    ("number", b"data: 42\n\n", [ev(1, None, None, ("F012",))]),
    ("null", b"data: null\n\n", [ev(1, None, None, ("F012",))]),
    ("boolean", b"data: true\n\n", [ev(1, None, None, ("F012",))]),
    ("object-without-type", b'data: {"kind":"a"}\n\n', [ev(1, None, None, ("F012",))]),
    ("type-not-a-string", b'data: {"type":1}\n\n', [ev(1, None, None, ("F012",))]),
    ("type-null", b'data: {"type":null}\n\n', [ev(1, None, None, ("F012",))]),
]


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in SSE_CASES])
def test_sse(data: bytes, expected: list) -> None:
    assert records(data) == expected


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in SSE_CASES])
@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_sse_in_tiny_chunks(data: bytes, expected: list, chunk: int) -> None:
    """Reading one, two or three bytes at a time gives the same records (CR|LF split across reads)."""
    assert records(data, chunk=chunk) == expected


def test_bom_alone_in_the_first_read() -> None:
    """A pipe may deliver the BOM on its own (a server that flushes it first)."""

    class Reads:
        def __init__(self) -> None:
            self.parts = [b"\xef\xbb\xbf", EA + b"\n\n"]

        def read(self, n: int = -1) -> bytes:
            return self.parts.pop(0) if self.parts else b""

    _, recs = reader.read(Reads(), PATH, "sse")
    assert [compact(r) for r in expand(recs)] == [ev(1)]


# ------------------------------------------------------------------------------------------------
# _lines: line ends across read boundaries, offsets, the BOM

LINES_CASES = [
    ("lf", b"a\nb\n", [(b"a", 0, True), (b"b", 2, True)]),
    ("crlf", b"a\r\nb\r\n", [(b"a", 0, True), (b"b", 3, True)]),
    ("cr", b"a\rb\r", [(b"a", 0, True), (b"b", 2, True)]),
    (
        "mixed",
        b"a\r\nb\rc\n\r\nd",
        [(b"a", 0, True), (b"b", 3, True), (b"c", 5, True), (b"", 7, True), (b"d", 9, False)],
    ),
    ("cr-cr-lf", b"a\r\r\nb", [(b"a", 0, True), (b"", 2, True), (b"b", 4, False)]),
    ("lf-cr", b"a\n\rb", [(b"a", 0, True), (b"", 2, True), (b"b", 3, False)]),
    ("unterminated", b"abc", [(b"abc", 0, False)]),
    ("empty", b"", []),
    ("bom", b"\xef\xbb\xbfa\nb", [(b"a", 3, True), (b"b", 5, False)]),
    ("bom-only", b"\xef\xbb\xbf", []),
    ("two-boms", b"\xef\xbb\xbf\xef\xbb\xbfa\n", [(b"\xef\xbb\xbfa", 3, True)]),
    ("trailing-cr", b"a\r", [(b"a", 0, True)]),
    ("blank-lines", b"\n\r\n\r", [(b"", 0, True), (b"", 1, True), (b"", 3, True)]),
]


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in LINES_CASES])
@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 5, 1 << 16])
def test_lines(data: bytes, expected: list, chunk: int) -> None:
    assert list(reader._lines(Tiny(data, chunk), reader._SSE_EOL)) == expected


def test_lines_cr_at_end_of_read_then_lf_at_start_of_next() -> None:
    """A CR that ends one read() and an LF that starts the next are one CRLF, not two line ends."""

    class Reads:
        def __init__(self, parts: list[bytes]) -> None:
            self.parts = list(parts)

        def read(self, n: int = -1) -> bytes:
            return self.parts.pop(0) if self.parts else b""

    parts = [b"data: x\r", b"\ndata: y\r", b"\n\r", b"\n"]
    got = list(reader._lines(Reads(parts), reader._SSE_EOL))
    assert got == [(b"data: x", 0, True), (b"data: y", 9, True), (b"", 18, True)]


def test_sse_every_split_point() -> None:
    """A capture mixing every line end reads the same with one read boundary at any byte."""
    data = (
        b"\xef\xbb\xbf: hi\r\n\r\nevent: a\r"
        + EA
        + b"\r\n\r"
        + b"event: b\n"
        + b'data: {"type":\r\ndata: "b"}\r\r'
        + b"data: [DONE]\r\n\r\n"
    )
    whole = records(data)
    assert whole == [("comment", 1, "hi"), ev(3, A, "a"), ev(6, B, "b"), ("done", 10)]

    class Split:
        def __init__(self, at: int) -> None:
            self.parts = [data[:at], data[at:]]

        def read(self, n: int = -1) -> bytes:
            return self.parts.pop(0) if self.parts else b""

    for at in range(1, len(data)):  # a read() never returns b"" before the end
        _, recs = reader.read(Split(at), PATH, "sse")
        assert [compact(r) for r in expand(recs)] == whole, at


JSONL_LINES_CASES = [
    ("keeps-cr", b"a\r\nb\rc\n", [(b"a\r", 0), (b"b\rc", 3)]),
    ("unterminated", b"ab\ncd", [(b"ab", 0), (b"cd", 3)]),
    ("blank-lines", b"\n\nx\n\n", [(b"", 0), (b"", 1), (b"x", 2), (b"", 4)]),
    ("bom", b"\xef\xbb\xbf{}\n{}", [(b"{}", 3), (b"{}", 6)]),
    ("empty", b"", []),
    ("long", b"a" * 50 + b"\n" + b"b" * 7, [(b"a" * 50, 0), (b"b" * 7, 51)]),
]


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in JSONL_LINES_CASES])
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 16])
def test_jsonl_lines(data: bytes, expected: list, chunk: int) -> None:
    """JSONL splits on LF only (read_jsonl strips the CR of a CRLF itself), in batches."""
    found = []
    for lines, offset, _ in reader._line_batches(Tiny(data, chunk)):
        for line in lines:
            found.append((line, offset))
            offset += len(line) + 1
    assert found == expected


# ------------------------------------------------------------------------------------------------
# locations


def test_invalid_json_points_at_the_error() -> None:
    (event,) = read_all(b'data: {"type":"a",}\n\n')
    (problem,) = event.problems
    assert problem.code == "F002"
    assert problem.span == Span(PATH, 1, 19)  # the `}` after the trailing comma
    assert "invalid JSON" in problem.message


def test_invalid_json_on_the_second_data_line() -> None:
    data = b'\n\ndata: {"type":\ndata: "a",}\n\n'
    (event,) = read_all(data)
    assert event.span == Span(PATH, 3, 1)
    (problem,) = event.problems
    assert problem.code == "F002"
    assert problem.span == Span(PATH, 4, 11)  # `data: "a",}`: the `}` is column 11


def test_invalid_json_on_the_second_data_line_without_space() -> None:
    (event,) = read_all(b'data:{"type":\ndata:"a",,\n\n')
    (problem,) = event.problems
    assert problem.span == Span(PATH, 2, 10)  # `data:"a",,`: the second comma


def test_invalid_json_at_end_of_data() -> None:
    (event,) = read_all(b'data: {"type":"a"\n\n')
    (problem,) = event.problems
    assert problem.span == Span(PATH, 1, 18)  # one past the last character of the value


def test_invalid_json_with_crlf_and_bom_counts_characters() -> None:
    (event,) = read_all(b'\xef\xbb\xbfevent: a\r\ndata: {"d":"\xc3\xa9\xc3\xa9",}\r\n\r\n')
    (problem,) = event.problems
    assert problem.span == Span(PATH, 2, 17)  # columns count characters, not bytes: `}` is the 17th


def test_duplicate_key_points_at_the_second_key() -> None:
    (event,) = read_all(b'data: {"type":"a","k":1,"k":2}\n\n')
    (problem,) = event.problems
    assert (problem.code, problem.span) == ("F007", Span(PATH, 1, 25))
    assert "`k`" in problem.message


def test_duplicate_key_after_the_same_key_in_a_nested_object() -> None:
    (event,) = read_all(b'data: {"type":"a","o":{"k":1},"k":2,"k":3}\n\n')
    (problem,) = event.problems
    assert (problem.code, problem.span) == ("F007", Span(PATH, 1, 37))


def test_non_finite_number_points_at_it() -> None:
    (event,) = read_all(b'data: {"type":"a","v":Infinity}\n\n')
    (problem,) = event.problems
    assert (problem.code, problem.span) == ("F008", Span(PATH, 1, 23))
    assert not math.isfinite(event.payload["v"])
    assert event.type == "a"


def test_non_finite_number_after_the_same_word_in_a_string() -> None:
    (event,) = read_all(b'data: {"type":"a","delta":"NaN","v":NaN}\n\n')
    (problem,) = event.problems
    assert (problem.code, problem.span) == ("F008", Span(PATH, 1, 37))


def test_invalid_utf8_gives_byte_offset_and_reading_goes_on() -> None:
    data = b'data: {"type":"a","d":"x\xffy"}\n\n' + EB + b"\n\n"
    recs = read_all(data)
    assert [compact(r) for r in recs] == [
        ("problem", "F001", 1, 25),
        ev(1, {"type": "a", "d": "x\ufffdy"}),
        ev(3, B),
    ]
    assert "0xff" in recs[0].message
    assert "byte offset 24" in recs[0].message


def test_invalid_utf8_offset_counts_bom_and_earlier_lines() -> None:
    data = b"\xef\xbb\xbf: caf\xc3\xa9\r\n\r\n" + b'data: {"type":"a","d":"\xc3\xa9\xc3"}\n\n'
    recs = read_all(data)
    problem = recs[1]
    assert compact(problem) == ("problem", "F001", 3, 25)  # the column counts characters
    offset = data.index(b'\xc3"')
    assert f"byte offset {offset}" in problem.message
    assert isinstance(recs[2], Event) and recs[2].payload == {"type": "a", "d": "\u00e9\ufffd"}


def test_invalid_utf8_in_comment_and_field_names() -> None:
    data = b": \xfe\n\n\xfedata: 1\n\n" + EA + b"\n\n"
    assert records(data) == [
        ("problem", "F001", 1, 3),
        ("comment", 1, "\ufffd"),
        ("problem", "F001", 3, 1),
        ("problem", "F004", 3, 1),
        ev(5),
    ]


def test_event_span_is_the_first_field_line() -> None:
    (event,) = read_all(b'id: 1\n: c\nevent: a\ndata: {\ndata: "type":"a"}\n\n')
    assert event.span == Span(PATH, 3, 1)
    assert event.sse_event == "a"
    assert event.has_event_field is True


def test_comments_inside_an_event_block_travel_with_it() -> None:
    (event,) = read_all(b': one\ndata: {"type":"a"}\n:two\n\n')
    assert event.comments == ((Span(PATH, 1, 1), "one"), (Span(PATH, 3, 1), "two"))


def test_has_event_field() -> None:
    first, second = read_all(b"event: a\n" + EA + b"\n\n" + EA + b"\n\n")
    assert (first.has_event_field, first.sse_event) == (True, "a")
    assert (second.has_event_field, second.sse_event) == (False, None)


def test_sdk_cased_flag() -> None:
    (event,) = read_all(b'data: {"type":"a","itemId":"x","outputIndex":0}\n\n')
    assert event.sdk_cased is True
    (problem,) = event.problems
    assert "`itemId`" in problem.message and "`item_id`" in problem.message


@pytest.mark.parametrize(
    "payload, found",
    [
        (b"[]", "an array"),
        (b'"x"', "a string"),
        (b"1.5", "a number"),
        (b"null", "null"),
        (b"false", "a boolean"),
        (b"{}", "no `type`"),
        (b'{"type":["a"]}', "`type`"),
    ],
)
def test_not_an_event_says_what_it_found(payload: bytes, found: str) -> None:
    (event,) = read_all(b"data: " + payload + b"\n\n")
    (problem,) = event.problems
    assert problem.code == "F012"
    assert found in problem.message
    assert event.payload is None


# ------------------------------------------------------------------------------------------------
# JSONL

J = b'{"type":"a","sequence_number":0}'
JA = {"type": "a", "sequence_number": 0}

JSONL_CASES = [
    ("bare", J + b"\n", [ev(1, JA)]),
    ("no-final-newline", J, [ev(1, JA)]),
    ("two", J + b"\n" + b'{"type":"b"}\n', [ev(1, JA), ev(2, B)]),
    ("crlf", J + b"\r\n" + b'{"type":"b"}\r\n', [ev(1, JA), ev(2, B)]),
    ("blank-lines-skipped", b"\n" + J + b"\n\n   \n\t\r\n" + b'{"type":"b"}\n\n', [ev(2, JA), ev(6, B)]),
    ("bom", b"\xef\xbb\xbf" + J + b"\n", [ev(1, JA)]),
    ("data-wrapper", b'{"data":' + J + b"}\n", [ev(1, JA)]),
    ("event-data-wrapper", b'{"event":"a","data":' + J + b"}\n", [ev(1, JA, "a")]),
    ("event-data-wrapper-mismatch", b'{"event":"x","data":' + J + b"}\n", [ev(1, JA, "x")]),
    ("wrapper-with-id", b'{"id":"1","event":"a","data":' + J + b"}\n", [ev(1, JA, "a")]),
    ("wrapper-event-not-string", b'{"event":1,"data":' + J + b"}\n", [ev(1, JA)]),
    (
        "typed-object-with-data-is-not-a-wrapper",
        b'{"type":"a","data":{"type":"b"}}\n',
        [ev(1, {"type": "a", "data": {"type": "b"}})],
    ),
    ("wrapper-with-other-key-is-not-a-wrapper", b'{"x":1,"data":' + J + b"}\n", [ev(1, None, None, ("F012",))]),
    ("u2028", b'{"type":"a","d":"x\xe2\x80\xa8y"}\n', [ev(1, {"type": "a", "d": "x\u2028y"})]),
    ("cr-inside-line-is-not-a-line-end", b'{"type":"a",\r"d":1}\n', [ev(1, {"type": "a", "d": 1})]),
    ("invalid-json", b'{"type":"a",}\n' + J + b"\n", [ev(1, None, None, ("F002",)), ev(2, JA)]),
    ("duplicate-key", b'{"type":"a","type":"a"}\n', [ev(1, A, None, ("F007",))]),
    ("nan", b'{"type":"a","v":NaN}\n', [ev(1, ANY, None, ("F008",))]),
    (
        "sdk-camel-case",
        b'{"type":"a","sequenceNumber":0}\n',
        [ev(1, {"type": "a", "sequenceNumber": 0}, None, ("F011",))],
    ),
    ("array", b"[1]\n", [ev(1, None, None, ("F012",))]),
    ("string", b'"a"\n', [ev(1, None, None, ("F012",))]),
    ("number", b"7\n", [ev(1, None, None, ("F012",))]),
    ("no-type", b'{"kind":"a"}\n', [ev(1, None, None, ("F012",))]),
    ("type-not-string", b'{"type":false}\n', [ev(1, None, None, ("F012",))]),
    (
        "invalid-utf8",
        b'{"type":"a","d":"\xff"}\n' + J + b"\n",
        [ev(1, {"type": "a", "d": "\ufffd"}, None, ("F001",)), ev(2, JA)],
    ),
    ("sse-text-read-as-jsonl", b"data: " + J + b"\n\n", [ev(1, None, None, ("F002",))]),
]


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in JSONL_CASES])
@pytest.mark.parametrize("chunk", [None, 1, 2])
def test_jsonl(data: bytes, expected: list, chunk: int | None) -> None:
    assert records(data, "jsonl", "capture.jsonl", chunk=chunk) == expected


def test_jsonl_invalid_json_location() -> None:
    (event,) = read_all(b'\n{"type":"a",}\n', "jsonl", "c.jsonl")
    (problem,) = event.problems
    assert (problem.code, problem.span) == ("F002", Span("c.jsonl", 2, 13))


def test_jsonl_invalid_utf8_location() -> None:
    data = J + b'\n{"type":"a","d":"\xc3\xa9\xff"}\n'
    _, event = read_all(data, "jsonl", "c.jsonl")
    (problem,) = event.problems
    assert (problem.code, problem.span) == ("F001", Span("c.jsonl", 2, 19))
    offset = data.index(b"\xff")
    assert f"byte offset {offset}" in problem.message


def test_jsonl_wrapper_keeps_the_sse_name() -> None:
    (event,) = read_all(b'{"event":"response.created","data":{"type":"response.created"}}\n', "jsonl", "c.jsonl")
    assert event.sse_event == "response.created"
    assert event.type == "response.created"


# ------------------------------------------------------------------------------------------------
# formats


@pytest.mark.parametrize(
    "head, fmt",
    [
        (b'{"type":"a"}', "jsonl"),
        (b"[1]", "jsonl"),
        (b"\xef\xbb\xbf{", "jsonl"),
        (b"\n\r\n  {", "jsonl"),
        (b"data: {}", "sse"),
        (b"event: a", "sse"),
        (b": OPENROUTER PROCESSING", "sse"),
        (b"\xef\xbb\xbfdata: x", "sse"),
        (b"retry: 10", "sse"),
        (b"", "sse"),
    ],
)
def test_sniff(head: bytes, fmt: str) -> None:
    assert reader.sniff(head) == fmt


@pytest.mark.parametrize(
    "path, fmt",
    [
        ("a.sse", "sse"),
        ("dir/a.SSE", "sse"),
        ("a.jsonl", "jsonl"),
        ("a.JSONL", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.txt", None),
        ("capture", None),
        ("-", None),
        ("a.sse.bak", None),
    ],
)
def test_format_for(path: str, fmt: str | None) -> None:
    assert reader.format_for(path) == fmt


def test_read_sniffs_a_path_without_extension() -> None:
    fmt, recs = reader.read(io.BytesIO(J + b"\n"), "capture", None)
    recs = expand(recs)
    assert fmt == "jsonl"
    assert [compact(r) for r in recs] == [ev(1, JA)]
    fmt, recs = reader.read(io.BytesIO(b"event: a\n" + EA + b"\n\n"), "capture", None)
    recs = expand(recs)
    assert fmt == "sse"
    assert [compact(r) for r in recs] == [ev(1, A, "a")]


def test_read_sniffs_stdin_in_tiny_chunks() -> None:
    fmt, recs = reader.read(Tiny(b"\n" + J + b"\n" + J + b"\n", 1), "-", None)
    recs = expand(recs)
    assert fmt == "jsonl"
    assert [compact(r) for r in recs] == [ev(2, JA), ev(3, JA)]


def test_read_sniff_keeps_everything_past_the_first_chunk() -> None:
    """The sniffed head is put back: a capture longer than one read chunk loses nothing."""
    line = b'{"type":"a","pad":"' + b"x" * 1000 + b'"}\n'
    count = reader.CHUNK // len(line) * 3 + 7
    fmt, recs = reader.read(io.BytesIO(line * count), "capture", None)
    recs = expand(recs)
    recs = list(recs)
    assert fmt == "jsonl"
    assert len(recs) == count
    assert all(isinstance(r, Event) and not r.problems for r in recs)
    assert [r.span.line for r in recs] == list(range(1, count + 1))


def test_extension_decides_over_content() -> None:
    fmt, recs = reader.read(io.BytesIO(J + b"\n\n"), "x.sse", None)
    recs = expand(recs)
    assert fmt == "sse"
    assert [compact(r) for r in recs] == [("problem", "F004", 1, 1)]


def test_explicit_format_decides_over_extension() -> None:
    fmt, recs = reader.read(io.BytesIO(J + b"\n"), "x.sse", "jsonl")
    recs = expand(recs)
    assert fmt == "jsonl"
    assert [compact(r) for r in recs] == [ev(1, JA)]


def test_long_sse_capture_across_chunks() -> None:
    block = b"event: a\r\n" + b'data: {"type":"a","pad":"' + b"y" * 999 + b'"}\r\n\r\n'
    count = reader.CHUNK // len(block) * 2 + 3
    recs = read_all(block * count)
    assert len(recs) == count
    assert all(isinstance(r, Event) and not r.problems and r.sse_event == "a" for r in recs)
    assert [r.span.line for r in recs] == list(range(1, 3 * count, 3))


def test_problem_messages_name_the_field() -> None:
    (problem,) = read_all(b"foo: bar\n\n")
    assert "`foo`" in problem.message
    (problem,) = read_all(b"retry: 3s\n\n")
    assert "`3s`" in problem.message
    assert re.search(r"ASCII digits", problem.message)


# ------------------------------------------------------------------------------------------------
# the real captures (../shared/captures/real; skipped where that folder is absent)


def test_real_captures_read_whole_and_sniff_as_named() -> None:
    from conftest import require_real

    real = require_real()
    checked = 0
    for path in sorted(real.iterdir()):
        fmt = reader.format_for(path.name)
        if fmt is None:
            continue
        data = path.read_bytes()
        assert reader.sniff(data[: reader.CHUNK]) == fmt, path.name
        recs = read_all(data, None, path.name)
        events = [r for r in recs if isinstance(r, Event)]
        assert events, path.name
        assert [r.span.line for r in events] == sorted(r.span.line for r in events), path.name
        assert all(r.span.path == path.name for r in recs if isinstance(r, (Event, Done, Comment))), path.name
        checked += 1
    assert checked >= 10


def test_require_real_skips_with_a_reason_when_the_folder_is_absent(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import conftest

    monkeypatch.setattr(conftest, "REAL", tmp_path / "absent")
    with pytest.raises(pytest.skip.Exception, match="real captures not found"):
        conftest.require_real()


# ------------------------------------------------------------------------------------------------
# the quick paths (`_quick_block`, a line orjson writes back) may only skip work, never change a record


def _every_record(record) -> str:
    """Everything a record carries, messages and places included (as text: NaN is not NaN)."""
    if isinstance(record, Event):
        return repr(
            (
                record.span,
                record.payload,
                record.sse_event,
                record.has_event_field,
                record.comments,
                record.problems,
                record.sdk_cased,
            )
        )
    return repr((type(record).__name__, *record))


def _capture_files() -> list:
    from conftest import FIXTURES, REAL

    found = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".sse", ".jsonl"))
    if REAL.is_dir():
        found += sorted(p for p in REAL.iterdir() if p.suffix in (".sse", ".jsonl"))
    return found


@pytest.mark.parametrize("chunk", [None, 7, 1000])
def test_the_quick_paths_read_every_capture_as_the_slow_ones(chunk, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _capture_files()
    quick = {p: [_every_record(r) for r in read_all(p.read_bytes(), None, str(p), chunk)] for p in files}
    monkeypatch.setattr(reader, "_quick_block", lambda *_: None)
    monkeypatch.setattr(reader, "SERIALIZED_UP_TO", 0)  # no line is taken for written back
    monkeypatch.setattr(reader, "read_as_written", lambda *_: False)
    for path in files:
        assert quick[path] == [_every_record(r) for r in read_all(path.read_bytes(), None, str(path), chunk)], path
    assert len(files) > 60


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"a","n":1, "type" :"b"}',  # a repeat written with a blank before its colon
        '{"type":"a","type":"b"}',
        '{"type":"a","o":{"k":1,"k":2}}',
        '{"type":"a","s":"x\\":","s":1}',  # `":` inside a string makes up for the repeat
        '{"type" :"a","s":"\\":"}',
        '{"type":"a","n":18446744073709551616}',
        '{"type":"a","n":[-9223372036854775809]}',
        '{"type":"a","n":1e400}',
        '{"type":"a","n":NaN}',
        '{"type":"a","s":"\\ud800"}',
        '{"type":"a","s":"\\u00e9\\/"}',
        '{ "type": "a", "n": 1.0, "m": -0 }',
        '{"type":"a","n":1.5e3}',
    ],
)
def test_a_line_the_quick_path_reads_gets_what_decode_finds(text: str) -> None:
    """The quick path (a payload orjson writes back, or `read_as_written`) may take a line only
    when `decode` would report nothing: the event carries exactly what decode finds."""
    from orvalidate.payload import decode

    value, problems = decode(text, lambda pos: Span(PATH, 1, pos + 1))
    (event,) = read_all(text.encode() + b"\n", "jsonl")
    assert (event.problems, repr(event.payload)) == (tuple(problems), repr(value))
    if "NaN" in text or '"type":"b"' in text or '"k":2' in text:
        assert problems
    if "18446744073709551616" in text:  # kept exact by the standard library, not a float
        assert event.payload["n"] == 2**64


def test_F003_on_an_ordinary_event_names_that_event() -> None:
    """The unterminated last block is an event: F003 carries its index, sequence number and
    type, as every finding about an event does (only `[DONE]` has none)."""
    from orvalidate.api import check_file

    from conftest import FIXTURES

    report = check_file(str(FIXTURES / "invalid" / "F003-no-blank-line-at-end.sse"))
    (f003,) = [f for f in report.findings if f.code == "F003"]
    events = report.streams[0].events
    assert (f003.event_index, f003.sequence_number, f003.event_type) == (events - 1, 17, "response.completed")
    assert (f003.line, f003.column) == (52, 1)


# -- batches: events of one shape that follow each other come as one record -----------------


def _shape(records) -> list[tuple]:
    return [("batch", r.span.line, r.step, len(r.payloads)) if isinstance(r, Batch) else compact(r) for r in records]


def test_blocks_of_one_shape_that_follow_each_other_come_as_one_batch() -> None:
    one = b'event: a\ndata: {"type":"a","n":%d}\n\n'
    data = (
        one % 1
        + one % 2
        + one % 3
        + b'event: a\ndata: {"n":4,"type":"a"}\n\n'
        + one % 5
        + b": hi\n\n"
        + one % 6
        + one % 7
    )
    _, recs = reader.read(io.BytesIO(data), PATH, "sse")
    recs = list(recs)
    # other keys (or their order) end a batch, and so does a line read one by one
    assert _shape(recs) == [
        ("batch", 1, 3, 3),
        ev(10, {"n": 4, "type": "a"}, "a"),
        ev(13, {"type": "a", "n": 5}, "a"),
        ("comment", 16, "hi"),
        ("batch", 18, 3, 2),
    ]
    assert [compact(e) for e in expand(recs)] == records(data, chunk=1)  # as read one at a time


def test_jsonl_lines_of_one_shape_come_as_one_batch_and_a_blank_line_ends_it() -> None:
    data = b'{"type":"a","n":1}\n{"type":"a","n":2}\n\n{"type":"a","n":3}\n{"type":"b","n":4}\n{"type":"b","n":5}\r\n'
    _, recs = reader.read(io.BytesIO(data), PATH, "jsonl")
    recs = list(recs)
    assert _shape(recs) == [("batch", 1, 1, 2), ev(4, {"type": "a", "n": 3}), ("batch", 5, 1, 2)]
    assert [compact(e) for e in expand(recs)] == records(data, "jsonl", chunk=1)


def test_a_batch_never_holds_what_the_reader_reports_on() -> None:
    """A block without `event:`, a payload with SDK keys or one read the slow way (here a
    repeated key, F007) is an Event."""
    data = (
        b'data: {"type":"a"}\n\n' * 2
        + b'event: a\ndata: {"type":"a","itemId":"x"}\n\n' * 2
        + b'event: a\ndata: {"type":"a","type":"a"}\n\n' * 2
    )
    _, recs = reader.read(io.BytesIO(data), PATH, "sse")
    assert not any(isinstance(r, Batch) for r in recs)
