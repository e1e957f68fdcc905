"""Property tests (hypothesis) for the issue "Never crash, never lie, never write".

Never lie: re-framing a capture -- the same events under other line ends, a BOM, keep-alive
comments, `id:`/`retry:` lines, payloads split over many `data:` lines, or the same events as
JSONL under any of its three wrappers -- changes no finding, except the few framing codes whose
whole point is the framing (each named, with the reason, where it is expected to change).

Never crash: arbitrary bytes, arbitrary JSON values as SSE blocks or JSONL lines, and arbitrary
dicts fed to `StreamValidator` give findings, never an exception.

Findings are compared as (code, severity, stream, event_index, sequence_number, event_type,
json_path), as a multiset: lines, columns and messages name places in the file (and messages
quote line numbers), which re-framing moves on purpose.

Needs `hypothesis` (the `test` extra). Settings are modest so the module runs in well under a
minute; `HYPOTHESIS_PROFILE=thorough` multiplies the examples by 10.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from orvalidate import codes  # noqa: E402
from orvalidate.api import FileReport, StreamValidator, check_stream  # noqa: E402
from orvalidate.model import PROFILES, Comment, Done, Event, Finding, Problem  # noqa: E402
from orvalidate.reader import one_by_one, read  # noqa: E402

from conftest import FIXTURES, ROOT  # noqa: E402

SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1


def _settings(n: int, **extra):
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        **extra,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


ALL_PROFILES = ("auto", *PROFILES)
EVENT_TYPES = sorted(
    p.name[: -len(".json")] for p in (ROOT / "schemas").glob("*.json") if p.name not in ("profiles.json",)
)


# ------------------------------------------------------------------------------------------------
# running the library


def run(data: bytes, path: str, profile: str = "auto", input_format: str | None = None) -> FileReport:
    """Everything check_stream yields, consumed; the FileReport at its end."""
    items = list(check_stream(io.BytesIO(data), path, profile=profile, input_format=input_format))
    assert isinstance(items[-1], FileReport)
    assert not any(isinstance(i, FileReport) for i in items[:-1])
    return items[-1]


def key(f: Finding) -> tuple:
    return (f.code, f.severity, f.stream, f.event_index, f.sequence_number, f.event_type, f.json_path)


def keys(report: FileReport) -> Counter:
    return Counter(key(f) for f in report.findings)


def show(counter: Counter) -> list:
    return sorted((repr(k), n) for k, n in counter.items())


# ------------------------------------------------------------------------------------------------
# the fixtures that can be re-framed faithfully
#
# Re-framing starts from the *parsed* records, so a fixture qualifies only when parsing kept
# everything that decides its findings. Left out, and why:
#   F001  invalid UTF-8 became U+FFFD: the bad bytes are gone from the records.
#   F002  the payload did not parse (payload None): there is nothing to re-serialize.
#   F004, F005  standalone reader problems (an unknown field, a bad `retry:`): the offending
#         line is not in the records.
#   F007  json.loads kept one of the repeated keys: re-serializing drops the repeat.
#   F012  a valid JSON value that is not an event: the record keeps no payload.
# F003 is kept: it is framing, and each example decides it anew (see expected_sse).


def _profile_arg(capture: Path) -> str:
    sidecar = capture.with_name(capture.name + ".args")
    if not sidecar.exists():
        return "auto"
    args = sidecar.read_text(encoding="utf-8").split()
    assert args[0] == "--profile" and len(args) == 2, f"{sidecar}: only --profile is understood here"
    return args[1]


def _records(capture: Path) -> list:
    with open(capture, "rb") as stream:
        _, records = read(stream, str(capture))
        return list(one_by_one(records))


def _faithful(records: list) -> bool:
    for r in records:
        if isinstance(r, Problem) and r.code != "F003":
            return False
        if isinstance(r, Event) and (r.payload is None or {p.code for p in r.problems} - {"F003", "F008", "F011"}):
            return False
    return True


def _sources() -> list[Path]:
    valid = sorted(p for p in (FIXTURES / "valid").iterdir() if p.suffix in (".sse", ".jsonl"))
    invalid = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.suffix == ".sse")
    return [p for p in valid + invalid if _faithful(_records(p))]


SOURCES = _sources()
SOURCE_NAMES = [p.name for p in SOURCES]
EXCLUDED = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.suffix == ".sse" and p not in SOURCES)


def test_the_faithful_sources_are_the_expected_ones() -> None:
    """A new fixture that cannot be re-framed must be excluded knowingly, not silently."""
    assert EXCLUDED == [
        "F001-invalid-utf8-in-obfuscation.sse",
        "F002-trailing-comma.sse",
        "F004-header-line-in-stream.sse",
        "F005-retry-with-unit.sse",
        "F007-key-repeated.sse",
    ]
    assert all(p.name in SOURCE_NAMES for p in (FIXTURES / "valid").iterdir() if p.suffix in (".sse", ".jsonl"))
    assert len(SOURCES) >= 50


@lru_cache(maxsize=None)
def original(name: str, profile: str | None = None) -> tuple[tuple, FileReport]:
    """(records, report) of a source fixture, checked under `profile` (default: its .args)."""
    capture = next(p for p in SOURCES if p.name == name)
    records = tuple(_records(capture))
    report = run(capture.read_bytes(), str(capture), profile or _profile_arg(capture))
    assert len(report.streams) == 1, "the expectations below assume one stream per fixture"
    return records, report


def _events(records) -> list[Event]:
    return [r for r in records if isinstance(r, Event)]


def _event_key(code: str, severity: str, index: int, event: Event) -> tuple:
    return (code, severity, 0, index, event.sequence_number, event.type, None)


# ------------------------------------------------------------------------------------------------
# SSE re-framing

EOLS = ("\n", "\r", "\r\n")
NOISE_LINES = st.one_of(
    st.just(": keepalive"),
    st.just(":"),
    st.just(":keep-alive ping"),
    st.from_regex(r"\Aid(: ?[0-9A-Za-z_.-]{0,12})?\Z"),
    st.from_regex(r"\Aretry: ?[0-9]{1,6}\Z"),
)


def dumps(payload, indent, compact: bool, ascii_only: bool) -> str:
    separators = (",", ":") if compact else None
    try:
        text = json.dumps(payload, indent=indent, separators=separators, ensure_ascii=ascii_only)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # a lone surrogate: only its escape is valid UTF-8
        return json.dumps(payload, indent=indent, separators=separators, ensure_ascii=True)


@st.composite
def sse_capture(draw, records) -> tuple[bytes, set[int], bool, str]:
    """(bytes, indices of events whose `event:` line was dropped, whether the final blank line
    was dropped, what the block left open at the end holds: "event", "done" or "none")."""
    lines: list[str] = []  # "" is a blank line (the end of a block)
    dropped: set[int] = set()
    index = -1

    def noise_blocks() -> None:
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.sampled_from(("comment", "blank", "fields")))
            if kind == "blank":
                lines.append("")
            else:
                lines.extend(
                    draw(st.lists(NOISE_LINES, min_size=1, max_size=3)) if kind == "fields" else [": keepalive"]
                )
                lines.append("")

    if draw(st.booleans()):
        noise_blocks()
    for record in records:
        if isinstance(record, Problem):  # only F003 qualifies, and each example decides F003 anew
            continue
        if isinstance(record, Comment):
            lines.append((": " if draw(st.booleans()) or record.text[:1] == " " else ":") + record.text)
            lines.extend(draw(st.lists(st.just(": keepalive"), max_size=1)))
            lines.append("")
        elif isinstance(record, Done):
            lines.append(draw(st.sampled_from(("data: [DONE]", "data:[DONE]"))))
            lines.append("")
        else:
            index += 1
            payload = record.payload
            indent = draw(st.sampled_from((None, None, 0, 1, 2, "\t")))
            text = dumps(payload, indent, draw(st.booleans()), draw(st.booleans()))
            pieces = text.split("\n")
            # Merge some neighbouring lines again: every split point is between two tokens.
            data_values: list[str] = [pieces[0]]
            for piece in pieces[1:]:
                if draw(st.integers(0, 3)) == 0:
                    data_values[-1] += piece
                else:
                    data_values.append(piece)
            data_lines = []
            for value in data_values:
                # `data:x` and `data: x` carry the same value; a value that starts with a space
                # loses one space after `data:` (harmless: JSON whitespace between tokens).
                data_lines.append(("data: " if draw(st.booleans()) else "data:") + value)
                if draw(st.integers(0, 9)) == 0:
                    # An empty data line adds an LF between two tokens: JSON whitespace.
                    data_lines.append(draw(st.sampled_from(("data", "data:"))))
            others: list[str] = []
            name = (
                record.sse_event if record.sse_event is not None else (record.type if record.has_event_field else None)
            )
            if name is not None:
                if name == record.type and draw(st.integers(0, 4)) == 0:
                    dropped.add(index)
                else:
                    others.append(("event: " if draw(st.booleans()) or name[:1] == " " else "event:") + name)
            others.extend(": " + text for _, text in record.comments)
            others.extend(draw(st.lists(NOISE_LINES, max_size=2)))
            block = list(data_lines)
            for other in others:
                block.insert(draw(st.integers(0, len(block))), other)
            lines.extend(block)
            lines.append("")
        if draw(st.integers(0, 4)) == 0:
            noise_blocks()
    if draw(st.integers(0, 4)) == 0:
        noise_blocks()  # after the last record: the last block may be a data-less one
    drop_final_blank = bool(lines) and lines[-1] == "" and draw(st.booleans())
    if drop_final_blank:
        lines.pop()
    out: list[str] = ["\ufeff"] if draw(st.booleans()) else []
    previous = ""
    for n, line in enumerate(lines):
        eol = draw(st.sampled_from(EOLS))
        if line == "" and previous == "\r" and eol == "\n":
            eol = "\r\n"  # "\r" + "\n" would be one CRLF: the blank line would vanish
        if n == len(lines) - 1 and line and drop_final_blank and draw(st.booleans()):
            eol = ""  # the last line may lack its line end too
        out.append(line + eol)
        previous = eol
    return (
        "".join(out).encode("utf-8"),
        dropped,
        drop_final_blank,
        _unterminated_block(lines if drop_final_blank else []),
    )


def _unterminated_block(lines: list[str]) -> str:
    """What the block left open at the end of the capture holds: "event", "done" or "none"."""
    if not lines or lines[-1] == "":
        return "none"
    start = len(lines) - 1 - lines[::-1].index("") if "" in lines else 0
    data = [line for line in lines[start:] if line.split(":", 1)[0] == "data"]
    if not data:
        return "none"
    return "done" if [d.partition(":")[2].removeprefix(" ") for d in data] == ["[DONE]"] else "event"


def expected_sse(records, report: FileReport, dropped: set[int], final_blank_dropped: bool, last_block: str) -> Counter:
    """The original's findings, with F003 and F014 recomputed for this framing.

    F003 (unterminated-event) is about the framing only: it fires iff the final blank line was
    dropped and the last block carries data (an event or `[DONE]`); the reader locates it by
    line, and on an event it names that event as every finding does.
    F014 (missing-event-field) is reported once per stream, at the first data block without an
    `event:` line, when the stream's profile turns it on: dropping `event:` lines (only where the
    name equaled the payload's type, so F006 cannot change) can add it or move it earlier.
    Nothing else may change: comments stay where they were (standalone or in their event's
    block), so OpenRouter markers and suppressions mean the same.
    """
    profile = report.streams[0].profile
    found = keys(report)
    for k in list(found):
        if k[0] in ("F003", "F014"):
            del found[k]
    events = _events(records)
    if final_blank_dropped and last_block == "event":
        # Located by its line, and about the last event: its index, sequence number and type.
        found[_event_key("F003", "warning", len(events) - 1, events[-1])] += 1
    elif final_blank_dropped and last_block == "done":
        # `[DONE]` is no event: the finding has no event_index.
        found[("F003", "warning", 0, None, None, None, None)] += 1
    level = codes.RULES["F014"].severity[profile]
    missing = [i for i, e in enumerate(events) if not e.has_event_field] + sorted(dropped)
    if missing and level is not None:
        first = min(missing)
        found[_event_key("F014", level, first, events[first])] += 1
    return found


@_settings(150)
@given(data=st.data(), name=st.sampled_from(SOURCE_NAMES), sniff=st.booleans())
def test_sse_reframing_changes_no_finding(data, name: str, sniff: bool) -> None:
    records, report = original(name)
    capture, dropped, final_blank_dropped, last_block = data.draw(sse_capture(records), label="framing")
    path, fmt = ("capture", None) if sniff else ("reframed.sse", None)
    profile = _profile_arg(next(p for p in SOURCES if p.name == name))
    again = run(capture, path, profile, fmt)
    assert again.format == "sse"
    assert len(again.streams) == 1 and again.streams[0].profile == report.streams[0].profile
    assert again.streams[0].events == report.streams[0].events
    want = expected_sse(records, report, dropped, final_blank_dropped, last_block)
    got = keys(again)
    assert got == want, {"missing": show(want - got), "extra": show(got - want), "capture": capture[:3000]}


def test_sse_reframing_keeps_every_fixture_as_it_was() -> None:
    """The identity framing (LF, one data line, all event lines, final blank) is exact."""
    for name in SOURCE_NAMES:
        records, report = original(name)
        lines: list[str] = []
        for r in records:
            if isinstance(r, Comment):
                lines += [": " + r.text, ""]
            elif isinstance(r, Done):
                lines += ["data: [DONE]", ""]
            elif isinstance(r, Event):
                name_ = r.sse_event if r.sse_event is not None else (r.type if r.has_event_field else None)
                lines += ([f"event: {name_}"] if name_ is not None else []) + [": " + t for _, t in r.comments]
                lines += ["data: " + dumps(r.payload, None, True, False), ""]
        again = run(
            "".join(line + "\n" for line in lines).encode(),
            "x.sse",
            _profile_arg(next(p for p in SOURCES if p.name == name)),
        )
        assert keys(again) == expected_sse(records, report, set(), False, "event"), name


# ------------------------------------------------------------------------------------------------
# JSONL re-framing

JSONL_DROPS = ("F003", "F009", "F010", "F014", "F015")


def _has_directive(records) -> bool:
    texts = [r.text for r in records if isinstance(r, Comment)]
    texts += [t for r in records if isinstance(r, Event) for _, t in r.comments]
    return any(t.strip().startswith("orvalidate:") for t in texts)


JSONL_SOURCES = [n for n in SOURCE_NAMES if not _has_directive(original(n)[0])]


@st.composite
def jsonl_capture(draw, records) -> bytes:
    out = ["\ufeff"] if draw(st.booleans()) else []
    blank = st.sampled_from(("", " ", "\t", " \t "))
    for record in _events(records):
        payload = record.payload
        name = record.sse_event
        choices = ["event"] if name is not None and name != record.type else ["bare", "data", "event"]
        wrapper = draw(st.sampled_from(choices))
        if wrapper == "bare":
            value = payload
        elif wrapper == "data":
            value = {"data": payload}
        else:
            value = {"event": name if name is not None else record.type, "data": payload}
            if draw(st.booleans()):
                value["id"] = "7"
            if draw(st.booleans()):
                value = dict(reversed(list(value.items())))
        for _ in range(draw(st.integers(0, 1))):
            out.append(draw(blank) + draw(st.sampled_from(("\n", "\r\n"))))
        pad = draw(st.sampled_from(("", " ", "\t")))
        out.append(pad + dumps(value, None, draw(st.booleans()), draw(st.booleans())) + pad)
        out.append(draw(st.sampled_from(("\n", "\r\n"))))
    if out and out[-1] in ("\n", "\r\n") and draw(st.booleans()):
        out.pop()  # no line end after the last line
    return "".join(out).encode("utf-8")


def expected_jsonl(records, report: FileReport) -> Counter:
    """The original's findings (under the stream's resolved profile), less what JSONL cannot carry.

    JSONL has no `[DONE]`, no `event:` lines, no blank-line framing and no comments, so:
    F003 (unterminated-event), F009 (done-sentinel-not-last), F014 (missing-event-field) and
    F015 (unexpected-done-sentinel) cannot fire, and F010 (missing-done-sentinel) fires at the
    last event whenever the profile turns it on. Both sides run under the original's resolved
    profile: without comments and `[DONE]`, `auto` would lose the OpenRouter markers, and that
    is a profile change, not a finding change. Fixtures with suppression comments are left out.
    """
    profile = report.streams[0].profile
    found = Counter({k: n for k, n in keys(report).items() if k[0] not in JSONL_DROPS})
    events = _events(records)
    level = codes.RULES["F010"].severity[profile]
    if events and level is not None:
        found[_event_key("F010", level, len(events) - 1, events[-1])] += 1
    return found


@_settings(200)
@given(data=st.data(), name=st.sampled_from(JSONL_SOURCES), path=st.sampled_from(("x.jsonl", "x.ndjson", "x")))
def test_jsonl_reframing_changes_no_finding(data, name: str, path: str) -> None:
    records, first = original(name)
    profile = first.streams[0].profile
    records, report = original(name, profile)
    capture = data.draw(jsonl_capture(records), label="jsonl")
    again = run(capture, path, profile)
    if _events(records):
        assert again.format == "jsonl"
    want = expected_jsonl(records, report)
    got = keys(again)
    assert got == want, {"missing": show(want - got), "extra": show(got - want), "capture": capture[:3000]}


# ------------------------------------------------------------------------------------------------
# never crash: bytes


@_settings(250)
@given(data=st.binary(max_size=4096), profile=st.sampled_from(ALL_PROFILES))
@pytest.mark.parametrize("path, fmt", [("x.sse", None), ("x.jsonl", None), ("x", None), ("x", "sse"), ("x", "jsonl")])
def test_arbitrary_bytes_never_raise(path: str, fmt: str | None, data: bytes, profile: str) -> None:
    report = run(data, path, profile, fmt)
    assert all(f.code in codes.RULES and f.line >= 1 and f.column >= 1 for f in report.findings)


SSE_ALPHABET = st.sampled_from(
    [
        "data:",
        "data: ",
        "event: ",
        "id:",
        "retry: ",
        ": ",
        ":",
        "\n",
        "\r",
        "\r\n",
        "[DONE]",
        "{",
        "}",
        '"',
        "type",
        "response.created",
        "\ufeff",
        "\x00",
        "\xff",
        " ",
    ]
)


@_settings(250)
@given(pieces=st.lists(SSE_ALPHABET | st.text(max_size=8), max_size=80), profile=st.sampled_from(ALL_PROFILES))
def test_sse_shaped_text_never_raises(pieces: list[str], profile: str) -> None:
    data = "".join(pieces).encode("utf-8", "surrogatepass")
    for path in ("x.sse", "x.jsonl", "x"):
        run(data, path, profile)


# ------------------------------------------------------------------------------------------------
# never crash: structured garbage

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), 10**30, -(10**30)])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)
KEYS = st.sampled_from(
    [
        "type",
        "sequence_number",
        "item_id",
        "output_index",
        "content_index",
        "summary_index",
        "annotation_index",
        "delta",
        "text",
        "arguments",
        "item",
        "part",
        "response",
        "usage",
        "logprobs",
        "obfuscation",
        "code",
        "message",
        "error",
        "status",
        "id",
        "output",
        "call_id",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cost",
        "is_byok",
        "refusal",
        "annotation",
        "incomplete_details",
        "reason",
        "content",
        "summary",
        "name",
        "role",
        "sequenceNumber",
    ]
)
EVENT_TYPE = st.sampled_from(EVENT_TYPES) | st.text(max_size=12)


def _obj(children):
    return st.dictionaries(KEYS, children, max_size=6) | st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                ["message", "function_call", "reasoning", "output_text", "web_search_call", "refusal"]
            )
        },
        optional={
            "id": st.text(max_size=4),
            "status": st.sampled_from(["in_progress", "completed", "incomplete", "x"]),
            "content": st.lists(children, max_size=3),
            "text": st.text(max_size=5),
            "call_id": st.text(max_size=3),
        },
    )


FIELD_VALUES = st.recursive(
    SCALARS | st.integers(-2, 5),
    lambda children: st.lists(children, max_size=3) | _obj(children),
    max_leaves=15,
)


_ID_KEYS = ("item_id", "content_index", "summary_index", "command_index")


@st.composite
def events(draw, numbered: bool = True) -> list:
    """A list of event-like dicts: catalog types, protocol fields, mostly numbered in order."""
    out = []
    for n in range(draw(st.integers(0, 10))):
        event = draw(st.dictionaries(KEYS, FIELD_VALUES, max_size=6))
        event["type"] = draw(EVENT_TYPE)
        if numbered and draw(st.integers(0, 5)):
            event["sequence_number"] = n
        if draw(st.integers(0, 3)) == 0:
            event["response"] = draw(
                st.fixed_dictionaries(
                    {
                        "id": st.sampled_from(["r1", "r2"]),
                        "status": st.sampled_from(["in_progress", "completed", "incomplete", "failed", "queued"]),
                    },
                    optional={
                        "output": st.lists(FIELD_VALUES, max_size=2),
                        "usage": st.dictionaries(
                            st.sampled_from(["input_tokens", "output_tokens", "total_tokens", "cost", "is_byok"]),
                            SCALARS,
                            max_size=5,
                        ),
                        "error": FIELD_VALUES,
                        "incomplete_details": FIELD_VALUES,
                    },
                )
            )
        out.append(event)
    return out


def _sse_block(value) -> str:
    return "data: " + dumps(value, None, True, True) + "\n\n"


@_settings(120)
@given(
    values=st.lists(JSON | events().map(lambda es: es[0] if es else {}), max_size=8),
    profile=st.sampled_from(ALL_PROFILES),
)
def test_json_values_as_blocks_and_lines_never_raise(values: list, profile: str) -> None:
    sse = "".join(_sse_block(v) for v in values).encode()
    jsonl = "".join(dumps(v, None, True, True) + "\n" for v in values).encode()
    for data, path in ((sse, "x"), (jsonl, "x")):  # sniffed: the format must come out right
        run(data, path, profile)


@_settings(150)
@given(
    stream=events(),
    extra=st.lists(st.tuples(st.integers(0, 12), JSON | st.just("[DONE]") | st.floats()), max_size=3),
    profile=st.sampled_from(ALL_PROFILES),
)
def test_stream_validator_never_raises(stream: list, extra: list, profile: str) -> None:
    """Dicts straight from Python may hold what JSON cannot (NaN, inf, tuples of anything)."""
    for at, value in extra:
        stream.insert(min(at, len(stream)), value)
    validator = StreamValidator(profile=profile)
    found = [f for event in stream for f in validator.feed(event)]
    found += validator.close()
    assert all(isinstance(f, Finding) and f.code in codes.RULES for f in found)


# ------------------------------------------------------------------------------------------------
# never lie: the same random events as SSE and as JSONL; payloads read back exactly


@_settings(100)
@given(stream=events(), profile=st.sampled_from(PROFILES), data=st.data())
def test_random_events_read_the_same_as_sse_and_jsonl(stream: list, profile: str, data) -> None:
    """Whatever the events say, the SSE reader and the JSONL reader agree on every finding.

    The SSE side sends each event with its `event:` line and ends in a blank line; neither side
    has `[DONE]` or comments, so no framing code can differ.
    """
    sse = "".join(
        f"event: {e['type']}\n"
        + "".join(
            "data: " + line + "\n" for line in dumps(e, data.draw(st.sampled_from((None, 1))), False, True).split("\n")
        )
        + "\n"
        for e in stream
        if "\n" not in e["type"] and "\r" not in e["type"]
    )
    kept = [e for e in stream if "\n" not in e["type"] and "\r" not in e["type"]]
    jsonl = "".join(dumps(e, None, True, False) + "\r\n" for e in kept)
    a = run(_utf8(sse), "x.sse", profile)
    b = run(_utf8(jsonl), "x.jsonl", profile)
    assert keys(a) == keys(b), {"sse only": show(keys(a) - keys(b)), "jsonl only": show(keys(b) - keys(a))}


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise AssertionError("dumps() must escape lone surrogates") from None


def _read_back(text: str, path: str):
    _, records = read(io.BytesIO(text.encode("utf-8")), path)
    return [r for r in one_by_one(records) if isinstance(r, Event)]


@_settings(300)
@given(
    value=st.dictionaries(
        st.text(max_size=6),
        st.recursive(
            SCALARS | st.integers(min_value=-(10**19), max_value=-(2**63)),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=4),
            max_leaves=20,
        ),
        max_size=6,
    ),
    indent=st.sampled_from((None, 0, 2)),
    compact=st.booleans(),
)
def test_payloads_read_back_exactly_with_no_json_finding(value: dict, indent, compact: bool) -> None:
    """A payload written by json.dumps reads back equal, with no F002/F007/F008/F012 finding.

    Every dict has unique keys, so F007 (duplicate-key) here would be a false alarm: this
    exercises the key counting of payload.py with keys holding quotes, colons and escapes.
    """
    value = {**value, "type": "response.debug"}
    text = dumps(value, indent, compact, True)
    for events_read in (
        _read_back("".join("data: " + line + "\n" for line in text.split("\n")) + "\n", "x.sse"),
        _read_back(dumps(value, None, compact, True) + "\n", "x.jsonl"),
    ):
        assert len(events_read) == 1
        assert not events_read[0].problems, events_read[0].problems
        assert events_read[0].payload == value


@_settings(100)
@example(n=-(2**63) - 1)
@example(n=-(10**19) + 1)
@given(n=st.integers(min_value=-(10**19) + 1, max_value=-(2**63) - 1))
def test_integers_past_64_bits_read_back_exactly(n: int) -> None:
    for events_read in (
        _read_back(f'data: {{"type":"response.debug","sequence_number":{n}}}\n\n', "x.sse"),
        _read_back(f'{{"type":"response.debug","sequence_number":{n}}}\n', "x.jsonl"),
    ):
        assert events_read[0].payload["sequence_number"] == n
        assert type(events_read[0].payload["sequence_number"]) is int


@_settings(50)
@example(event={"type": "x", "item_id": []}, fmt="x.sse")
@example(event={"type": "response.output_text.delta", "content_index": []}, fmt="x.jsonl")
@given(
    event=st.fixed_dictionaries(
        {"type": EVENT_TYPE},
        optional={
            k: st.lists(st.integers(), max_size=2) | st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)
            for k in _ID_KEYS
        },
    ),
    fmt=st.sampled_from(("x.sse", "x.jsonl")),
)
def test_unhashable_ids_never_raise(event: dict, fmt: str) -> None:
    """Found by this module (fixed in 2982868): an array or object as `item_id` or part index
    raised TypeError: unhashable type in state.py. fuzz/crashes/unhashable-* hold the inputs."""
    text = dumps(event, None, True, True)
    run(_utf8(f"data: {text}\n\n" if fmt == "x.sse" else text + "\n"), fmt, "openai")


@_settings(50)
@example(surrogate="\ud800", profile="openai")
@given(surrogate=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), profile=st.sampled_from(ALL_PROFILES))
def test_lone_surrogate_keys_never_raise(surrogate: str, profile: str) -> None:
    """Found by the fuzzer (fixed in 2982868): jsonschema-rs raised UnicodeEncodeError on a
    lone-surrogate key inside `part`. fuzz/crashes/surrogate-key-in-part* hold the inputs."""
    event = {
        "type": "response.content_part.added",
        "item_id": "m",
        "output_index": 0,
        "content_index": 0,
        "sequence_number": 0,
        "part": {"type": "output_text", "text": "", "annotations": [], surrogate: 0},
    }
    text = dumps(event, None, True, True)
    run(_utf8(f"data: {text}\n\n"), "x.sse", profile)
