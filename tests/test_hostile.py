"""Hostile inputs: whatever arrives, orvalidate gives findings (exit 1) or a one-line message (exit 2).

Never a traceback, never a hang, never a file changed (tests/test_inputs_unchanged.py checks the
last). Inputs that concern only bytes run in-process through click's CliRunner; those that concern
the process (signals, a closed pipe, memory, symlink loops, encodings written to a real stdout) run
`python -m orvalidate` as a subprocess with a timeout.

Known bugs are `xfail(strict=True)`: each reason says the input, what is expected and what happens.
"""

from __future__ import annotations

import copy
import json
import os
import random
import signal
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.cli import main
from orvalidate.model import Event
from orvalidate.reader import one_by_one, read

from conftest import FIXTURES, ROOT

VALID_JSONL = FIXTURES / "valid" / "openai_function_call.jsonl"
VALID_SSE = FIXTURES / "valid" / "openai_text.sse"
OUTPUT_FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab")
TIMEOUT = 60


# ------------------------------------------------------------------------------------------------
# helpers


def no_traceback(*texts: str | bytes) -> None:
    for text in texts:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        assert "Traceback" not in text, text[-3000:]
        assert "Exception ignored" not in text, text[-3000:]


def cli(*args: str, input: bytes | None = None):
    """`orvalidate --isolated ARGS` in-process; stdout and stderr apart (click >= 8.2)."""
    result = CliRunner().invoke(main, [*args, "--isolated"], input=input, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a crash: let pytest show the traceback
    no_traceback(result.stdout, result.stderr)
    return result


def report(path: Path | str, *args: str, input: bytes | None = None):
    """(exit code, the JSON report, stderr) of `orvalidate PATH --format json ARGS`."""
    result = cli(str(path), "--format", "json", *args, input=input)
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    return result.exit_code, json.loads(result.stdout), result.stderr


def codes(doc: dict) -> set[str]:
    return {f["code"] for f in doc["findings"]}


def messages(doc: dict, code: str) -> list[str]:
    return [f["message"] for f in doc["findings"] if f["code"] == code]


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def run(*args: str, stdin=None, timeout: float = TIMEOUT, **kwargs) -> subprocess.CompletedProcess:
    """`python -m orvalidate --isolated ARGS` as a subprocess, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "orvalidate", *args, "--isolated"],
        stdin=stdin,
        capture_output=True,
        timeout=timeout,
        cwd=ROOT,
        **kwargs,
    )


def wait_peak(proc: subprocess.Popen, timeout: float) -> tuple[int, int]:
    """Wait for the child; (exit code, its peak RSS in kB), from /proc/<pid>/status VmHWM polled until it exits.

    Not ru_maxrss: on Linux an exec'd child's ru_maxrss starts from the high-water mark of the memory
    it replaced, which under vfork (what subprocess uses) is the pytest process's own.
    """
    status = Path(f"/proc/{proc.pid}/status")
    deadline = time.monotonic() + timeout
    peak = 0
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"orvalidate did not finish within {timeout} s")
        time.sleep(0.005)
    return proc.returncode, peak


def jsonl(events: list[dict]) -> str:
    return "".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n" for e in events)


def valid_events() -> list[dict]:
    """The events of a valid capture (openai_function_call.jsonl): a clean base to spoil one field of."""
    return [json.loads(line) for line in VALID_JSONL.read_text(encoding="utf-8").splitlines() if line.strip()]


def text_stream_parts() -> tuple[list[dict], dict, list[dict]]:
    """(head events, one output_text.delta, tail events) of openai_text.sse, a valid text stream."""
    with open(VALID_SSE, "rb") as stream:
        _, records = read(stream, str(VALID_SSE))
        events = [r.payload for r in one_by_one(records) if isinstance(r, Event)]
    assert [e["type"] for e in events[:5]][-1] == "response.output_text.delta"
    return events[:4], events[4], events[-4:]


def text_stream(n: int, word: str = "lorem ", obfuscation: str | None = None) -> tuple[bytes, bytes, bytes, int]:
    """A valid JSONL text stream with `n` deltas of `word`, as (head, one delta template with
    `%d` for its sequence number, tail, first delta's sequence number)."""
    head, delta, tail = text_stream_parts()
    lines = []
    for seq, event in enumerate(head):
        lines.append({**event, "sequence_number": seq})
    first = len(head)
    delta = {**delta, "delta": word, "sequence_number": 999_999_999}
    if obfuscation is not None:
        delta["obfuscation"] = obfuscation
    template = (json.dumps(delta, separators=(",", ":")) + "\n").replace("999999999", "%d").encode()
    text = word * n
    tail = copy.deepcopy(tail)
    tail[0]["text"] = text
    tail[1]["part"]["text"] = text
    tail[2]["item"]["content"][0]["text"] = text
    tail[3]["response"]["output"][0]["content"][0]["text"] = text
    for i, event in enumerate(tail):
        event["sequence_number"] = first + n + i
    return jsonl(lines).encode(), template, jsonl(tail).encode(), first


def write_text_stream(path: Path, n: int) -> Path:
    head, template, tail, first = text_stream(n)
    with open(path, "wb") as out:
        out.write(head)
        out.write(b"".join(template % (first + i) for i in range(n)))
        out.write(tail)
    return path


# ------------------------------------------------------------------------------------------------
# nothing, whitespace, noise, other encodings


@pytest.mark.parametrize("name", ["empty.sse", "empty.jsonl", "empty.ndjson", "empty"])
def test_empty_file_is_f013(tmp_path: Path, name: str) -> None:
    code, doc, _ = report(write(tmp_path, name, b""))
    assert code == 1
    assert codes(doc) == {"F013"}


def test_empty_stdin_is_f013() -> None:
    code, doc, _ = report("-", input=b"")
    assert code == 1
    assert codes(doc) == {"F013"}


def test_whitespace_only_sse_is_f013_and_names_the_lines(tmp_path: Path) -> None:
    """Per WHATWG a line of blanks is a field named by those blanks: a client ignores it (F004)."""
    code, doc, _ = report(write(tmp_path, "blank.sse", "   \n\n  \t\n"))
    assert code == 1
    assert codes(doc) == {"F013", "F004"}
    assert [f["line"] for f in doc["findings"] if f["code"] == "F004"] == [1, 3]


@pytest.mark.parametrize("name", ["blank.jsonl", "blank.ndjson"])
def test_whitespace_only_jsonl_is_f013(tmp_path: Path, name: str) -> None:
    code, doc, _ = report(write(tmp_path, name, " \n\n\t\r\n   \n"))
    assert code == 1
    assert codes(doc) == {"F013"}


def test_whitespace_only_stdin_is_f013() -> None:
    code, doc, _ = report("-", input=b"  \n\n\t\n  ")
    assert code == 1
    assert "F013" in codes(doc)
    assert codes(doc) <= {"F013", "F004", "F003"}


@pytest.mark.parametrize("name", ["noise.sse", "noise.jsonl", "noise.bin"])
def test_random_binary_is_f001(tmp_path: Path, name: str) -> None:
    noise = random.Random(20240521).randbytes(64 * 1024)
    code, doc, _ = report(write(tmp_path, name, noise))
    assert code == 1
    assert "F001" in codes(doc)
    first = min((f for f in doc["findings"] if f["code"] == "F001"), key=lambda f: (f["line"], f["column"]))
    assert first["line"] == 1 and "invalid UTF-8 byte" in first["message"]


def test_random_binary_text_output_is_escaped(tmp_path: Path) -> None:
    """Control bytes from the capture never reach the terminal raw."""
    noise = random.Random(7).randbytes(16 * 1024)
    result = cli(str(write(tmp_path, "noise.sse", noise)), "--format", "text")
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\x00" not in result.stdout
    assert all(line.startswith(str(tmp_path)) for line in result.stdout.splitlines())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
@pytest.mark.parametrize("suffix", [".sse", ".jsonl"])
def test_utf16_and_utf32_text_is_f001(tmp_path: Path, encoding: str, suffix: str) -> None:
    """With a byte-order mark (FF FE ...), the first byte is not UTF-8."""
    text = VALID_SSE.read_text(encoding="utf-8") if suffix == ".sse" else VALID_JSONL.read_text(encoding="utf-8")
    code, doc, _ = report(write(tmp_path, "wide" + suffix, text.encode(encoding)))
    assert code == 1
    assert "F001" in codes(doc)
    assert "invalid UTF-8 byte 0xff at byte offset 0" in messages(doc, "F001")[0]


@pytest.mark.parametrize(
    "encoding, suffix, expected",
    [
        ("utf-16-le", ".sse", {"F004", "F013"}),
        ("utf-16-be", ".sse", {"F004", "F013"}),
        ("utf-16-le", ".jsonl", {"F002"}),
        ("utf-16-be", ".jsonl", {"F002"}),
    ],
)
def test_utf16_without_a_bom_is_findings(tmp_path: Path, encoding: str, suffix: str, expected: set[str]) -> None:
    """ASCII in UTF-16 without a BOM is ASCII bytes and NULs: valid UTF-8, so no F001, but nothing parses."""
    text = VALID_SSE.read_text(encoding="utf-8") if suffix == ".sse" else VALID_JSONL.read_text(encoding="utf-8")
    code, doc, _ = report(write(tmp_path, "wide" + suffix, text.encode(encoding)))
    assert code == 1
    assert codes(doc) == expected


def test_nul_bytes_inside_a_payload_and_between_blocks(tmp_path: Path) -> None:
    data = b'event: x\ndata: {"type":"a\x00b"}\n\n\x00\x00\x00\n\n'
    code, doc, _ = report(write(tmp_path, "nul.sse", data))
    assert code == 1
    assert codes(doc) == {"F002", "F004"}  # a raw control character inside a JSON string; a line of NULs


@pytest.mark.parametrize("suffix", [".jsonl", ".sse"])
def test_nul_bytes_only(tmp_path: Path, suffix: str) -> None:
    code, doc, _ = report(write(tmp_path, "nul" + suffix, b"\x00" * 4096 + b"\n"))
    assert code == 1
    assert codes(doc) <= {"F002", "F004", "F013"} and codes(doc)


# ------------------------------------------------------------------------------------------------
# size and depth


def test_single_50mb_line_is_f002_fast(tmp_path: Path) -> None:
    """50 MB of one unquoted token with no line end: one F002. A hang is caught by the run's
    timeout; how fast is the benchmark's to say (the suite asserts no timing)."""
    path = tmp_path / "line.jsonl"
    path.write_bytes(b"a" * (50 << 20))
    code, doc, _ = report(path)
    assert code == 1
    assert codes(doc) == {"F002"}
    assert doc["summary"]["events"] == 1


def test_single_50mb_sse_data_line_is_f002(tmp_path: Path) -> None:
    path = tmp_path / "line.sse"
    path.write_bytes(b"event: response.created\ndata: " + b"a" * (50 << 20) + b"\n\n")
    code, doc, _ = report(path)
    assert code == 1
    assert codes(doc) == {"F002"}


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="peak RSS is read from /proc/<pid>/status")
@pytest.mark.parametrize(
    "spaced",
    [pytest.param(False, id="compact"), pytest.param(True, id="spaced-with-a-repeated-key")],
)
def test_one_50mb_string_field_costs_a_small_multiple_of_its_size(tmp_path: Path, spaced: bool) -> None:
    """A valid event whose one string is 50 MB (a big partial_image_b64, say).

    Regression: the key-count regex `"(?:[^"\\]|\\.)*"` kept backtracking state per character,
    ~125 bytes per byte of string: this input took 18 s and 6.3 GB before payload.py unrolled it.
    `spaced` takes the exact key count (no compact `":` fast path) and finds the repeated key.
    """
    pad = b"a" * (50 << 20)
    if spaced:
        line = b'{"type" : "x", "sequence_number" : 0, "pad" : "' + pad + b'", "pad" : 1}\n'
    else:
        line = b'{"type":"x","sequence_number":0,"pad":"' + pad + b'"}\n'
    path = tmp_path / "long-string.jsonl"
    path.write_bytes(line)
    proc = subprocess.Popen(
        [sys.executable, "-m", "orvalidate", str(path), "--isolated", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    code, peak_kb = wait_peak(proc, TIMEOUT)
    reader.join(10)
    no_traceback(proc.stderr.read())
    proc.stdout.close()
    proc.stderr.close()
    assert code == 1
    doc = json.loads(out[0])
    assert codes(doc) == ({"L001", "L002", "S002", "F007"} if spaced else {"L001", "L002", "S002"})
    if spaced:
        (f007,) = [f for f in doc["findings"] if f["code"] == "F007"]
        assert f007["column"] == line.rindex(b'"pad"') + 1
    assert peak_kb < 8 * len(line) / 1024, f"peak RSS {peak_kb // 1024} MB for a {len(line) >> 20} MB event"


@pytest.mark.parametrize(
    "name, text",
    [
        ("deep-array.jsonl", "[" * 200_000 + "]" * 200_000),
        ("deep-object.jsonl", '{"type":"x","a":' + '{"a":' * 200_000 + "1" + "}" * 200_000 + "}"),
        ("deep-unclosed.jsonl", "[" * 200_000),
    ],
)
def test_json_nested_200000_deep_is_f002_without_recursion_error(tmp_path: Path, name: str, text: str) -> None:
    code, doc, _ = report(write(tmp_path, name, text + "\n"))
    assert code == 1
    assert codes(doc) == {"F002"}
    (message,) = messages(doc, "F002")
    assert "nested too deeply" in message


def test_json_nested_200000_deep_in_sse(tmp_path: Path) -> None:
    code, doc, _ = report(write(tmp_path, "deep.sse", "data: " + "[" * 200_000 + "]" * 200_000 + "\n\n"))
    assert code == 1
    assert "F002" in codes(doc)


def test_a_million_crs(tmp_path: Path) -> None:
    """A million CRs are a million empty lines (SSE ends lines with CR, LF or CRLF): no events."""
    code, doc, _ = report(write(tmp_path, "crs.sse", b"\r" * 1_000_000))
    assert code == 1
    assert codes(doc) == {"F013"}


def test_a_million_crs_on_stdin_are_sniffed_as_sse() -> None:
    code, doc, _ = report("-", input=b"\r" * 1_000_000)
    assert code == 1
    assert codes(doc) == {"F013"}
    assert doc["files"][0]["format"] == "sse"


def test_a_million_crs_in_jsonl(tmp_path: Path) -> None:
    """JSONL ends lines with LF only: a million CRs are one blank line."""
    code, doc, _ = report(write(tmp_path, "crs.jsonl", b"\r" * 1_000_000))
    assert code == 1
    assert codes(doc) == {"F013"}


def test_a_1mb_sse_field_name_is_one_short_f004(tmp_path: Path) -> None:
    code, doc, _ = report(write(tmp_path, "field.sse", "x" * (1 << 20) + ": value\n\n"))
    assert code == 1
    assert codes(doc) == {"F004", "F013"}
    (message,) = messages(doc, "F004")
    assert len(message) < 300  # the field is cut, not echoed


def test_a_1mb_json_key(tmp_path: Path) -> None:
    events = valid_events()
    events[1]["k" * (1 << 20)] = 1  # an extra field: allowed (providers add them)
    code, doc, _ = report(write(tmp_path, "key.jsonl", jsonl(events)))
    assert code == 0
    assert codes(doc) == set()
    code, doc, _ = report(tmp_path / "key.jsonl", "--strict")
    assert code == 0  # S001 under --strict is a warning
    (message,) = messages(doc, "S001")
    assert message.endswith("…` (not in the schema)")  # the field name is cut (the `$.` path before it is not)


# ------------------------------------------------------------------------------------------------
# numbers


def spoil(tmp_path: Path, name: str, index: int, **fields) -> Path:
    """The valid capture with `fields` of event `index` replaced, as raw JSON text."""
    lines = VALID_JSONL.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[index])
    marker = {key: f"@@{key}@@" for key in fields}
    text = json.dumps({**event, **marker}, separators=(",", ":"))
    for key, raw in fields.items():
        text = text.replace(f'"@@{key}@@"', raw)
    lines[index] = text
    return write(tmp_path, name, "\n".join(lines) + "\n")


def test_an_integer_orjson_calls_infinite_is_parsed_exactly(tmp_path: Path) -> None:
    """10**400 overflows a double (orjson refuses it); the fallback keeps the exact integer."""
    big = "1" + "0" * 400
    code, doc, _ = report(spoil(tmp_path, "huge-seq.jsonl", 0, sequence_number=big))
    assert code == 1
    (q001,) = [f for f in doc["findings"] if f["code"] == "Q001"]
    assert q001["line"] == 1 and f"is {big}, expected 0" in q001["message"]
    assert "Q003" in codes(doc)  # 1 after 10**400


def test_a_huge_integer_in_a_field_nobody_checks_is_fine(tmp_path: Path) -> None:
    code, doc, _ = report(spoil(tmp_path, "extra.jsonl", 2, x_provider_id=str(2**200), y=str(-(2**70))))
    assert code == 0
    assert codes(doc) == set()


def test_an_integer_just_inside_64_bits_is_exact(tmp_path: Path) -> None:
    code, doc, _ = report(spoil(tmp_path, "u64.jsonl", 0, sequence_number=str(2**64 - 1)))
    assert code == 1
    assert any(f"is {2**64 - 1}, expected 0" in m for m in messages(doc, "Q001"))


def test_a_first_sequence_number_past_64_bits_is_q001(tmp_path: Path) -> None:
    code, doc, _ = report(spoil(tmp_path, "big-seq.jsonl", 0, sequence_number=str(2**64)))
    assert code == 1
    assert any(f"is {2**64}, expected 0" in m for m in messages(doc, "Q001"))


def test_a_sequence_number_past_64_bits_mid_stream_is_q002(tmp_path: Path) -> None:
    code, doc, _ = report(spoil(tmp_path, "mid-seq.jsonl", 3, sequence_number=str(2**64 + 3)))
    assert code == 1
    assert {"Q002", "Q003"} <= codes(doc)


def test_token_counts_past_64_bits_are_integers(tmp_path: Path) -> None:
    path = tmp_path / "big-usage.jsonl"
    text = VALID_JSONL.read_text(encoding="utf-8")
    assert text.count('"input_tokens":64,') == 1 and text.count('"total_tokens":83') == 1
    text = text.replace('"input_tokens":64,', f'"input_tokens":{2**64},').replace(
        '"total_tokens":83', f'"total_tokens":{2**64 + 19}'
    )
    path.write_text(text, encoding="utf-8")
    code, doc, _ = report(path)
    assert not any("not an integer" in m for m in messages(doc, "U004")), messages(doc, "U004")
    assert code == 0


def test_token_counts_past_64_bits_never_crash(tmp_path: Path) -> None:
    """Whatever the verdict on a huge count, it is findings, not a crash; the arithmetic rule does not
    claim a mismatch it cannot see."""
    path = tmp_path / "big-usage.jsonl"
    text = VALID_JSONL.read_text(encoding="utf-8")
    text = text.replace('"input_tokens":64,', f'"input_tokens":{2**80},').replace(
        '"total_tokens":83', f'"total_tokens":{2**80 + 19}'
    )
    path.write_text(text, encoding="utf-8")
    code, doc, _ = report(path)
    assert code in (0, 1)
    assert "U001" not in codes(doc)


def test_a_negative_sequence_number_past_64_bits(tmp_path: Path) -> None:
    code, doc, _ = report(spoil(tmp_path, "neg-seq.jsonl", 0, sequence_number=str(-(2**63) - 1)))
    assert code == 1
    assert any(f["json_path"] == "$.sequence_number" for f in doc["findings"] if f["code"] in ("S001", "Q001"))


@pytest.mark.parametrize(
    "index, field, raw, json_path",
    [
        (3, "sequence_number", "3.5", "$.sequence_number"),
        (2, "output_index", "0.5", "$.output_index"),
        (0, "sequence_number", "-0.5", "$.sequence_number"),
        (3, "sequence_number", "3e-1", "$.sequence_number"),
    ],
)
def test_a_fraction_where_an_integer_belongs_is_s001(
    tmp_path: Path, index: int, field: str, raw: str, json_path: str
) -> None:
    code, doc, _ = report(spoil(tmp_path, "fraction.jsonl", index, **{field: raw}))
    assert code == 1
    assert any(
        f["code"] == "S001" and f["json_path"] == json_path and "expected integer" in f["message"]
        for f in doc["findings"]
    ), doc["findings"]


def test_a_float_token_count_is_u004(tmp_path: Path) -> None:
    path = tmp_path / "float-usage.jsonl"
    path.write_text(
        VALID_JSONL.read_text(encoding="utf-8").replace('"output_tokens":19,', '"output_tokens":19.0,'),
        encoding="utf-8",
    )
    code, doc, _ = report(path)
    assert code == 1
    assert any("usage.output_tokens is 19.0: not an integer" in m for m in messages(doc, "U004"))


def test_an_integral_float_sequence_number_is_reported(tmp_path: Path) -> None:
    code, doc, _ = report(spoil(tmp_path, "float-seq.jsonl", 3, sequence_number="3.0"))
    assert code == 1
    assert any(f["json_path"] == "$.sequence_number" for f in doc["findings"])


# ------------------------------------------------------------------------------------------------
# shapes


@pytest.mark.parametrize(
    "raw, found",
    [
        ("[1,2]", "an array"),
        ("[]", "an array"),
        ('"response.created"', "a string"),
        ("42", "a number"),
        ("-1.5e300", "a number"),
        ("true", "a boolean"),
        ("null", "null"),
    ],
)
@pytest.mark.parametrize("suffix", [".jsonl", ".sse"])
def test_a_payload_that_is_not_an_object_is_f012(tmp_path: Path, raw: str, found: str, suffix: str) -> None:
    data = raw + "\n" if suffix == ".jsonl" else f"data: {raw}\n\n"
    code, doc, _ = report(write(tmp_path, "shape" + suffix, data))
    assert code == 1
    (message,) = messages(doc, "F012")
    assert message.endswith(f"found {found}")


@pytest.mark.parametrize(
    "raw, shown", [("5", "5"), ("null", "null"), ("{}", "{}"), ('["a"]', '["a"]'), ("true", "true")]
)
def test_a_type_that_is_not_a_string_is_f012(tmp_path: Path, raw: str, shown: str) -> None:
    code, doc, _ = report(write(tmp_path, "type.jsonl", '{"type":' + raw + ',"sequence_number":0}\n'))
    assert code == 1
    (message,) = messages(doc, "F012")
    assert message.endswith(f"found an object with `type` {shown}")


def test_data_without_a_colon_is_an_empty_data_line(tmp_path: Path) -> None:
    """WHATWG: `data` alone is the field `data` with an empty value; the event's data is empty: F002."""
    code, doc, _ = report(write(tmp_path, "nocolon.sse", "event: response.created\ndata\n\n"))
    assert code == 1
    assert codes(doc) == {"F002"}
    (f,) = doc["findings"]
    assert (f["line"], f["column"]) == (2, 5)


def test_event_and_data_without_colons(tmp_path: Path) -> None:
    code, doc, _ = report(write(tmp_path, "nocolon.sse", "event\ndata\n\ndata\n\n"))
    assert code == 1
    assert "F002" in codes(doc)


@pytest.mark.parametrize("suffix", [".sse", ""])
def test_done_sentinel_alone_is_f013(tmp_path: Path, suffix: str) -> None:
    code, doc, _ = report(write(tmp_path, "done" + suffix, "data: [DONE]\n\n"))
    assert code == 1
    assert codes(doc) == {"F013"}


def test_jsonl_in_a_sse_file_hints_at_input_format(tmp_path: Path) -> None:
    path = write(tmp_path, "really-jsonl.sse", VALID_JSONL.read_bytes())
    code, doc, _ = report(path)
    assert code == 1
    assert "F013" in codes(doc)
    assert all(m.endswith("-- is this JSONL? try --input-format jsonl") for m in messages(doc, "F004"))
    assert messages(doc, "F004")
    code, doc, _ = report(path, "--input-format", "jsonl")
    assert (code, codes(doc)) == (0, set())


def test_sse_in_a_jsonl_file_hints_at_input_format(tmp_path: Path) -> None:
    path = write(tmp_path, "really-sse.jsonl", VALID_SSE.read_bytes())
    code, doc, _ = report(path)
    assert code == 1
    assert codes(doc) == {"F002"}
    assert all(m.endswith("-- is this SSE? try --input-format sse") for m in messages(doc, "F002"))
    code, doc, _ = report(path, "--input-format", "sse")
    assert (code, codes(doc)) == (0, set())


def test_the_hint_is_in_the_text_output(tmp_path: Path) -> None:
    result = cli(str(write(tmp_path, "really-sse.jsonl", VALID_SSE.read_bytes())))
    assert result.exit_code == 1
    assert "try --input-format sse" in result.stdout.splitlines()[0]


# ------------------------------------------------------------------------------------------------
# lone surrogates (run for real: the encoding of a real stdout or output file matters)


def surrogate_capture(tmp_path: Path, where: str) -> Path:
    if where == "type":
        return write(tmp_path, "surrogate-type.jsonl", '{"type":"\\ud800","sequence_number":0}\n')
    lines = VALID_SSE.read_text(encoding="utf-8").split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith('data: {"type":"response.output_text.delta"'))
    event = json.loads(lines[i][6:])
    lines[i] = "data: " + json.dumps({**event, "delta": "@@"}).replace('"@@"', '"\\udfff\\ud800"')
    return write(tmp_path, "surrogate-delta.sse", "\n".join(lines))


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
def test_a_lone_surrogate_in_text_is_findings(tmp_path: Path, fmt: str) -> None:
    """A lone surrogate is valid JSON syntax: the deltas no longer match their `.done` text (D004)."""
    result = run(str(surrogate_capture(tmp_path, "delta")), "--format", fmt)
    no_traceback(result.stdout, result.stderr)
    assert result.returncode in (0, 1)
    if fmt == "json":
        assert {f["code"] for f in json.loads(result.stdout)["findings"]} >= {"D004"}


@pytest.mark.parametrize(
    "fmt, to_file",
    [
        pytest.param(fmt, to_file, id=f"{fmt}-{'file' if to_file else 'stdout'}")
        for fmt in OUTPUT_FORMATS
        for to_file in (False, True)
    ],
)
def test_a_lone_surrogate_in_a_message_reaches_every_format(tmp_path: Path, fmt: str, to_file: bool) -> None:
    capture = surrogate_capture(tmp_path, "type")
    out = tmp_path / f"report.{fmt}"
    result = run(str(capture), "--format", fmt, *(["--output-file", str(out)] if to_file else []))
    no_traceback(result.stdout, result.stderr)
    assert result.returncode == 1
    written = out.read_bytes() if to_file else result.stdout
    assert written
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(written)  # the document is whole, and still JSON


# ------------------------------------------------------------------------------------------------
# paths


def test_a_directory_with_symlink_loops_terminates(tmp_path: Path) -> None:
    top = tmp_path / "captures"
    (top / "a" / "b").mkdir(parents=True)
    (top / "a" / "b" / "x.sse").write_bytes(VALID_SSE.read_bytes())
    (top / "a" / "up").symlink_to("..")  # a -> captures
    (top / "a" / "b" / "loop").symlink_to("../../a")  # b -> a
    (top / "a" / "self").symlink_to("self")  # itself
    result = run(str(top), "--format", "json", timeout=30)
    no_traceback(result.stdout, result.stderr)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [f["path"] for f in doc["files"]] == [str(top / "a" / "b" / "x.sse")]


def test_capture_files_in_a_symlink_loop_are_one_line_errors(tmp_path: Path) -> None:
    top = tmp_path / "captures"
    top.mkdir()
    (top / "l1.sse").symlink_to("l2.sse")
    (top / "l2.sse").symlink_to("l1.sse")
    (top / "ok.sse").write_bytes(VALID_SSE.read_bytes())
    result = run(str(top), timeout=30)
    no_traceback(result.stdout, result.stderr)
    assert result.returncode == 2
    errors = [line for line in result.stderr.decode().splitlines() if line.startswith("orvalidate: ")]
    assert errors == [f"orvalidate: {top / name}: Too many levels of symbolic links" for name in ("l1.sse", "l2.sse")]


def test_a_looping_symlink_named_directly_says_so(tmp_path: Path) -> None:
    (tmp_path / "l1.sse").symlink_to("l2.sse")
    (tmp_path / "l2.sse").symlink_to("l1.sse")
    result = cli(str(tmp_path / "l1.sse"))
    assert result.exit_code == 2
    assert "symbolic links" in result.stderr


def test_a_dangling_symlink_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "gone.sse").symlink_to("nowhere.sse")
    result = cli(str(tmp_path / "gone.sse"))
    assert result.exit_code == 2
    assert result.stderr == f"orvalidate: {tmp_path / 'gone.sse'}: no such file or directory\n"


def test_a_directory_named_like_a_capture(tmp_path: Path) -> None:
    (tmp_path / "dir.sse").mkdir()
    result = cli(str(tmp_path / "dir.sse"))
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"orvalidate: {tmp_path / 'dir.sse'}: no captures (*.sse, *.jsonl, *.ndjson), cassettes or HAR files in this directory\n"
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_file_in_a_missing_directory_is_exit_2(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "missing" / "report.out"
    result = run(str(VALID_SSE), "--format", fmt, "--output-file", str(target))
    no_traceback(result.stdout, result.stderr)
    assert result.returncode == 2
    assert len(result.stderr.decode().strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------------
# the process: a closed pipe, Ctrl-C, memory


def test_a_fifo_capture(tmp_path: Path) -> None:
    fifo = tmp_path / "live.sse"
    os.mkfifo(fifo)
    feeder = threading.Thread(target=lambda: fifo.write_bytes(VALID_SSE.read_bytes()), daemon=True)
    feeder.start()
    result = run(str(fifo), timeout=30)
    feeder.join(5)
    no_traceback(result.stdout, result.stderr)
    assert result.returncode == 0


@pytest.fixture(scope="module")
def many_findings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 findings (F012 on every line): far more output than a pipe buffer holds."""
    path = tmp_path_factory.mktemp("many") / "many.jsonl"
    path.write_text("[1]\n" * 20_000, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["{capture}"], id="text"),
        pytest.param(["{capture}", "--format", "json"], id="json"),
        pytest.param(["{capture}", "--format", "github"], id="github"),
        pytest.param(["{folder}"], id="folder-in-parallel"),
        pytest.param(["-"], id="stdin-live"),
    ],
)
def test_standard_output_closed_after_one_line(many_findings: Path, tmp_path: Path, args: list[str]) -> None:
    """`orvalidate ... | head -1`: the reader goes away; no traceback, an exit code a shell expects."""
    folder = tmp_path / "folder"
    folder.mkdir()
    for n in range(3):
        (folder / f"m{n}.jsonl").write_bytes(many_findings.read_bytes())
    argv = [a.format(capture=many_findings, folder=folder) for a in args]
    with open(many_findings, "rb") as stdin:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orvalidate", *argv, "--isolated"],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        first = proc.stdout.readline()
        proc.stdout.close()
        try:
            err = proc.stderr.read()
            proc.wait(timeout=TIMEOUT)
        finally:
            proc.kill()
            proc.stderr.close()
    assert first
    no_traceback(err)
    assert proc.returncode in (1, 120, 141, -signal.SIGPIPE), (proc.returncode, err[-2000:])


def wait_until_open(pid: int, path: Path, timeout: float = 20) -> None:
    """Until process `pid` has `path` open: it is past its imports, in the check itself."""
    fds = Path(f"/proc/{pid}/fd")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if any(os.readlink(fd) == str(path) for fd in fds.iterdir()):
                return
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
        time.sleep(0.01)
    raise AssertionError(f"orvalidate never opened {path}")


@pytest.fixture(scope="module")
def slow_capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid 400,000-event text stream (about 100 MB): a second or more of work."""
    return write_text_stream(tmp_path_factory.mktemp("slow") / "slow.jsonl", 400_000)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see when the capture is open")
def test_sigint_exits_130_without_traceback(slow_capture: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "orvalidate", str(slow_capture), "--isolated"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_until_open(proc.pid, slow_capture)
    time.sleep(0.1)  # into the check, well before its end
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=TIMEOUT)
    no_traceback(out, err)
    assert proc.returncode == 130, err


def test_sigint_to_the_whole_group_while_checking_a_folder_in_parallel(slow_capture: Path, tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals the whole process group: the workers too."""
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(VALID_JSONL.read_bytes())  # done first: -v says so
    for n in range(3):
        (folder / f"b{n}.jsonl").symlink_to(slow_capture)
    proc = subprocess.Popen(
        [sys.executable, "-m", "orvalidate", str(folder), "-v", "--jobs", "2", "--isolated"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert proc.stderr.readline() == b"orvalidate: configuration: none (--isolated)\n"  # -v names it first
        first = proc.stderr.readline()
        assert first.startswith(str(folder / "a.jsonl").encode()), first
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    no_traceback(out, err)
    assert proc.returncode == 130, err


def test_sigint_during_startup(tmp_path: Path) -> None:
    capture = write(tmp_path, "x.sse", VALID_SSE.read_bytes())
    launcher = (
        "import os, runpy, signal, sys\n"
        "class Hook:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'orvalidate.engine':\n"
        "            sys.meta_path.remove(self)\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Hook())\n"
        f"sys.argv = ['orvalidate', {str(capture)!r}, '--isolated']\n"
        "runpy.run_module('orvalidate', run_name='__main__', alter_sys=True)\n"
    )
    result = subprocess.run([sys.executable, "-c", launcher], capture_output=True, timeout=TIMEOUT, cwd=ROOT)
    no_traceback(result.stdout, result.stderr)
    assert result.returncode == 130


BIG_INPUT_MB = 2048
PEAK_RSS_LIMIT_MB = 300


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="peak RSS is read from /proc/<pid>/status")
def test_big_capture_on_stdin_is_never_held_in_memory_2gb() -> None:
    """A 2 GB capture through standard input, never on disk: the child's peak RSS stays flat.

    One valid stream: the head events, then ~255,000 output_text.delta events written in a loop
    (each carrying 8 KB of `obfuscation` padding, as OpenAI's deltas do, so the input is large
    while the text the D rules must keep stays small: 1.5 MB), then the closing events with the
    matching text. Measured when written: ~20 s, peak RSS ~52 MB. (Before payload.py unrolled its
    string regex the check ran at ~14 MB/s, ~150 s for this input; if it ever gets that slow
    again, lower BIG_INPUT_MB to 200: the point is flat memory, not the size.)
    """
    pad = "".join(random.Random(3).choice(string.ascii_letters + string.digits) for _ in range(8192))
    _, probe, _, _ = text_stream(1, obfuscation=pad)
    n = (BIG_INPUT_MB << 20) // len(probe % 100_000)
    head, template, tail, first = text_stream(n, obfuscation=pad)
    proc = subprocess.Popen(
        [sys.executable, "-m", "orvalidate", "-", "--isolated", "--stdin-filename", "big.jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    outputs: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda name=name, pipe=pipe: outputs.__setitem__(name, pipe.read()))
        for name, pipe in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    written = 0
    try:
        proc.stdin.write(head)
        batch = 64
        for start in range(0, n, batch):
            chunk = b"".join(template % (first + i) for i in range(start, min(n, start + batch)))
            proc.stdin.write(chunk)
            written += len(chunk)
        proc.stdin.write(tail)
        proc.stdin.close()
        code, peak_kb = wait_peak(proc, 300)
    finally:
        if proc.returncode is None:
            proc.kill()
    for reader in readers:
        reader.join(10)
    proc.stdout.close()
    proc.stderr.close()
    seconds = time.monotonic() - started
    print(f"\n{written / (1 << 20):.0f} MB of deltas ({n} events) in {seconds:.1f} s; peak RSS {peak_kb / 1024:.0f} MB")
    no_traceback(outputs["out"], outputs["err"])
    assert written >= 0.99 * (BIG_INPUT_MB << 20)
    assert code == 0, outputs["err"][-2000:]
    assert outputs["out"] == b""
    assert outputs["err"].decode().startswith(f"0 errors, 0 warnings in 1 file (1 streams, {n + 8} events)")
    assert peak_kb < PEAK_RSS_LIMIT_MB * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
