"""Streams inside VCR.py cassettes and HAR files: recorded by the real libraries, checked with
the same codes as the bare capture, every finding placed in the container."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from orvalidate.api import check_file
from orvalidate.cli import main
from orvalidate.containers import cassette, har

from conftest import FIXTURES
from containers_helpers import INVALID, VALID, har_entry, profile_of, record, record_one, write_har
from loopback import LoopbackServer

URL = "https://api.openai.com/v1/responses"


@pytest.fixture(scope="module")
def server():
    with LoopbackServer() as running:
        yield running


def _line_of(text: str, needle: str, after: int = 0) -> int:
    """1-based number of the first line at or after line `after` that contains `needle`."""
    lines = text.splitlines()
    return next(i for i in range(after, len(lines)) if needle in lines[i]) + 1


def _same_findings_moved(
    bare, inside, entry: int, line: int | None, kind: str = "cassette", where: str = "interactions[0]"
) -> None:
    """Every bare finding is in the container with its code, severity and message, its stream
    line in the message and in `container`, at `line` (None: any line)."""
    assert len(inside) == len(bare)
    expected = sorted((f.code, f.severity, f"{f.message} ({where}, stream line {f.line})", f.line) for f in bare)
    got = sorted((g.code, g.severity, g.message, g.container.stream_line) for g in inside)
    assert got == expected
    for g in inside:
        assert g.container.kind == kind and g.container.entry == entry
        if line is not None:
            assert g.line == line


@pytest.mark.parametrize("capture", INVALID, ids=lambda p: p.name)
def test_every_invalid_fixture_in_a_vcrpy_cassette_gives_its_codes(capture: Path, server, tmp_path: Path) -> None:
    recorded = record_one(server, tmp_path, capture)
    data = recorded.read_bytes()
    (entry,) = cassette.entries(data)
    assert entry.body == capture.read_bytes()  # what vcrpy stored is what the server sent
    profile = profile_of(capture)
    bare = check_file(str(capture), profile=profile).findings
    inside = check_file(str(recorded), profile=profile)
    assert inside.format == "cassette" and {f.code for f in bare} == {f.code for f in inside.findings}
    text = data.decode("utf-8")
    response_at = _line_of(text, "  response:")
    if "!!binary" in text:  # not UTF-8: vcrpy stored base64; findings point at the interaction
        assert capture.name.startswith("F001")
        body_line = _line_of(text, "- request:")
    else:
        body_line = _line_of(text, "string:", response_at)
    _same_findings_moved(bare, inside.findings, 0, body_line)
    assert all(f.path == str(recorded) for f in inside.findings)


@pytest.mark.parametrize("capture", VALID, ids=lambda p: p.name)
def test_valid_fixtures_in_gzip_cassettes_are_clean(capture: Path, server, tmp_path: Path) -> None:
    recorded = record_one(server, tmp_path, capture, gzip=True)
    assert "!!binary" in recorded.read_text() and "gzip" in recorded.read_text()
    (entry,) = cassette.entries(recorded.read_bytes())
    assert entry.body == capture.read_bytes()
    report = check_file(str(recorded), profile=profile_of(capture))
    assert report.findings == [] and len(report.streams) == 1 and report.streams[0].events > 3


@pytest.mark.parametrize("name", ["D001-no-output-text-done.sse", "L005-created-with-status-completed.jsonl"])
def test_gzip_and_decoded_cassettes(name: str, server, tmp_path: Path) -> None:
    capture = FIXTURES / "invalid" / name
    bare = check_file(str(capture)).findings
    zipped = record(
        server, tmp_path / "zipped.yaml", [("/v1/responses", capture.read_bytes(), "text/event-stream")], gzip=True
    )
    text = zipped.read_text()
    _same_findings_moved(bare, check_file(str(zipped)).findings, 0, _line_of(text, "- request:"))
    decoded = record(
        server,
        tmp_path / "decoded.yaml",
        [("/v1/responses", capture.read_bytes(), "text/event-stream")],
        gzip=True,
        decode_compressed_response=True,
    )
    text = decoded.read_text()
    assert "!!binary" not in text
    _same_findings_moved(
        bare, check_file(str(decoded)).findings, 0, _line_of(text, "string:", _line_of(text, "  response:"))
    )


class _Literal(yaml.SafeDumper):
    """Multi-line strings as literal blocks, as pydantic-ai's cassette serializer writes them."""


_Literal.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None),
)


@pytest.mark.parametrize(
    "name",
    [
        "D001-no-output-text-done.sse",
        "D004-text-done-differs-from-deltas.sse",
        "L002-no-terminal-event.sse",
        "F016-ignore-that-suppresses-nothing.sse",
    ],
)
def test_literal_block_bodies_map_each_stream_line(name: str, server, tmp_path: Path) -> None:
    capture = FIXTURES / "invalid" / name
    recorded = record_one(server, tmp_path, capture)
    literal = tmp_path / "literal.yaml"
    literal.write_text(
        yaml.dump(yaml.safe_load(recorded.read_text()), Dumper=_Literal, width=1 << 20), encoding="utf-8"
    )
    text = literal.read_text()
    assert "string: |" in text
    bare = check_file(str(capture)).findings
    inside = check_file(str(literal)).findings
    _same_findings_moved(bare, inside, 0, None)
    file_lines, capture_lines = text.splitlines(), capture.read_text().splitlines()
    for f, g in zip(
        sorted(bare, key=lambda f: (f.line, f.column, f.code)),
        sorted(inside, key=lambda g: (g.container.stream_line, g.column, g.code)),
    ):
        indent = len(file_lines[g.line - 1]) - len(file_lines[g.line - 1].lstrip(" "))
        assert file_lines[g.line - 1][indent:] == capture_lines[f.line - 1]
        assert g.column - indent == f.column


def test_only_responses_event_streams_are_checked(server, tmp_path: Path) -> None:
    valid = (FIXTURES / "valid" / "openai_text.sse").read_bytes()
    invalid = (FIXTURES / "invalid" / "D001-no-output-text-done.sse").read_bytes()
    recorded = record(
        server,
        tmp_path / "mixed.yaml",
        [
            ("/v1/responses", b'{"id": "resp_1", "object": "response"}', "application/json"),
            ("/v1/chat/completions", invalid, "text/event-stream"),
            ("/v1/responses", valid, "text/event-stream; charset=utf-8"),
            ("/v1/responses/resp_1/input_items", invalid, "text/event-stream"),
            ("/api/v1/responses", invalid, "text/event-stream"),
        ],
    )
    report = check_file(str(recorded))
    assert [s.index for s in report.streams] == [0, 1]
    assert {f.container.entry for f in report.findings} == {4}
    assert {f.stream for f in report.findings} == {1}
    assert all("(interactions[4], stream line" in f.message for f in report.findings)


def test_a_container_without_a_responses_stream_is_clean(server, tmp_path: Path) -> None:
    recorded = record(server, tmp_path / "chat.yaml", [("/v1/chat/completions", b"data: {}\n\n", "text/event-stream")])
    result = CliRunner().invoke(main, [str(recorded), "--isolated"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "0 errors, 0 warnings in 1 file (0 streams, 0 events)" in result.stderr


@pytest.mark.parametrize("form", ["text", "base64", "gzip"])
@pytest.mark.parametrize("capture", INVALID[::3] + VALID, ids=lambda p: p.name)
def test_har_entries_give_the_capture_findings(form: str, capture: Path, tmp_path: Path) -> None:
    body = capture.read_bytes()
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        if form == "text":
            pytest.skip("a HAR text body is a JSON string: it cannot hold bytes that are not UTF-8")
    entries = [
        har_entry("https://api.openai.com/v1/models", b'{"data": []}', "application/json"),
        har_entry("https://openrouter.ai/api/v1/responses", body, form=form),
    ]
    path = write_har(tmp_path / "session.har", entries)
    (entry,) = har.entries(path.read_bytes())
    assert entry.body == body
    bare = check_file(str(capture), profile=profile_of(capture)).findings
    inside = check_file(str(path), profile=profile_of(capture))
    assert inside.format == "har"
    text = path.read_text()
    second = _line_of(text, '"startedDateTime"', _line_of(text, '"startedDateTime"')) - 1  # the entry's `{`
    line = _line_of(text, '"text": "event', second) if form == "text" and body.startswith(b"event") else None
    if form != "text":
        line = second
    _same_findings_moved(bare, inside.findings, 1, line, kind="har", where="log.entries[1]")


BROKEN = [
    ("cassette", "interactions:\n- request: {uri: 'https://x/v1/responses'\n  response: 1\n", "not valid YAML", (3, 3)),
    ("cassette", "version: 1\nrecorded: []\n", "not a VCR cassette", (1, 1)),
    ("cassette", "", "not a VCR cassette", (1, 1)),
    (
        "cassette",
        "interactions:\n- request:\n    uri: https://x/v1/responses\n  response:\n    headers:\n      content-type: [text/event-stream]\n"
        "    body:\n      string: !!binary |\n        not*base64\n",
        "the body cannot be decoded",
        (2, 3),
    ),
    (
        "cassette",
        "interactions:\n- request:\n    uri: https://x/v1/responses\n  response:\n    headers:\n      content-type: [text/event-stream]\n"
        "      content-encoding: [gzip]\n    body:\n      string: !!binary |\n        "
        + base64.b64encode(b"\x1f\x8b\x08\x00garbage").decode()
        + "\n",
        "the gzip body is corrupt",
        (2, 3),
    ),
    ("har", '{"log": {"entries": [\n  {"request": }\n]}}', "not valid JSON", (2, 15)),
    ("har", '{"entries": []}', "not a HAR file", (1, 1)),
    ("har", b"\xff\xfe{}", "not valid UTF-8", (1, 1)),
    ("cassette", "a: " + "[" * 50000 + "]" * 50000 + "\n", "exceeded maximum nesting depth", (1, 1003)),
    (
        "cassette",
        'interactions:\n- request: {uri: "https://x/v1/responses"}\n  response:\n'
        '    headers: {content-type: [text/event-stream]}\n    body: {string: "data: \\uD800"}\n',
        "invalid Unicode character escape",
        (5, 29),  # libyaml points at the escape's digits
    ),
    ("har", "[" * 50000 + "]" * 50000, "not valid JSON", (1, 1)),
]


@pytest.mark.parametrize(("kind", "content", "reason", "where"), BROKEN, ids=[b[2] + "-" + b[0] for b in BROKEN])
def test_an_unreadable_container_is_F017_not_a_traceback(kind, content, reason, where, tmp_path: Path) -> None:
    path = tmp_path / ("broken.yaml" if kind == "cassette" else "broken.har")
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = CliRunner().invoke(main, [str(path), "--isolated"])
    assert result.exit_code == 1, result.output
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{path}:{where[0]}:{where[1]}: F017 [error] "), line
    assert reason in line


def test_a_har_entry_without_its_body_is_F017(tmp_path: Path) -> None:
    entry = har_entry(URL, b"event: x\n\n")
    del entry["response"]["content"]["text"]
    path = write_har(tmp_path / "devtools.har", [entry])
    (finding,) = check_file(str(path)).findings
    assert (
        finding.code == "F017" and "content.text" in finding.message and (finding.line, finding.column) == (9, 7)
    )  # the entry's `{`


def test_json_report_carries_the_container(server, tmp_path: Path) -> None:
    capture = FIXTURES / "invalid" / "D001-no-output-text-done.sse"
    recorded = record_one(server, tmp_path, capture)
    result = CliRunner().invoke(main, [str(recorded), str(capture), "--isolated", "--format", "json"])
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert [f["format"] for f in document["files"]] == ["cassette", "sse"]
    contained = [f for f in document["findings"] if f["path"] == str(recorded)]
    bare = [f for f in document["findings"] if f["path"] == str(capture)]
    assert contained and bare
    assert all("container" not in f for f in bare)  # version 1 unchanged for bare captures
    for f, g in zip(bare, contained):
        assert g["container"] == {"kind": "cassette", "entry": 0, "stream_line": f["line"]}


def test_directory_search_finds_cassettes_and_har_files(
    server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    (root / "tests" / "cassettes").mkdir(parents=True)
    (root / "old").mkdir()
    capture = FIXTURES / "invalid" / "D001-no-output-text-done.sse"
    record_one(server, root / "tests" / "cassettes", capture)
    record_one(server, root / "old", capture)
    write_har(root / "session.har", [har_entry(URL, capture.read_bytes())])
    (root / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n")
    (root / "broken.yaml").write_text("a: [\n")
    (root / "notes.txt").write_text("hello\n")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, [".", "--isolated", "-v"])
    assert result.exit_code == 1
    checked = sorted(line.split(":")[0] for line in result.stderr.splitlines() if "finding" in line)
    assert checked == [
        "./old/D001-no-output-text-done.yaml",
        "./session.har",
        "./tests/cassettes/D001-no-output-text-done.yaml",
    ]
    (root / "pyproject.toml").write_text('[tool.orvalidate]\nexclude = ["old"]\n')
    result = CliRunner().invoke(main, ["."])
    assert sorted({line.split(":")[0] for line in result.stdout.splitlines()}) == [
        "./session.har",
        "./tests/cassettes/D001-no-output-text-done.yaml",
    ]
    (root / "pyproject.toml").write_text('[tool.orvalidate]\ninclude = ["tests/cassettes/*.yaml"]\n')
    result = CliRunner().invoke(main, ["."])
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {
        "./tests/cassettes/D001-no-output-text-done.yaml"
    }
    (root / "pyproject.toml").write_text("[tool.orvalidate]\ninclude = 5\n")
    result = CliRunner().invoke(main, ["."])
    assert result.exit_code == 2 and "include: expected a list of globs" in result.stderr
    # named on the command line, a YAML file is a cassette: F017 when it is not one
    result = CliRunner().invoke(main, ["docker-compose.yml", "--isolated"])
    assert result.exit_code == 1 and "F017 [error] not a VCR cassette" in result.stdout


def test_input_format_and_stdin(server, tmp_path: Path) -> None:
    capture = FIXTURES / "invalid" / "D001-no-output-text-done.sse"
    recorded = record_one(server, tmp_path, capture)
    renamed = recorded.rename(tmp_path / "recording.txt")
    direct = CliRunner().invoke(main, [str(renamed), "--isolated", "--input-format", "cassette"])
    assert (
        direct.exit_code == 1 and "D001 [error]" in direct.stdout and "(interactions[0], stream line" in direct.stdout
    )
    piped = CliRunner().invoke(main, ["-", "--isolated", "--input-format", "cassette"], input=renamed.read_bytes())
    assert piped.exit_code == 1
    assert piped.stdout == direct.stdout.replace(str(renamed), "-")


def test_checking_a_capture_imports_no_yaml_and_no_httpx() -> None:
    import re
    import subprocess

    capture = str(FIXTURES / "valid" / "openrouter_text.sse")
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "orvalidate", capture], capture_output=True, text=True
    )
    assert run.returncode == 0
    imported = set(re.findall(r"\|\s+([\w.]+)$", run.stderr, re.M))
    assert "orvalidate.cli" in imported and "orvalidate.containers" in imported  # the table is read
    assert not {m for m in imported if m.split(".")[0] in ("yaml", "httpx", "vcr", "openai")}


def test_jobs_per_file_ignores_and_inputs_unchanged(server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "recorded"
    folder.mkdir()
    for capture in INVALID[:12]:
        record_one(server, folder, capture)
        write_har(folder / (capture.stem + ".har"), [har_entry(URL, capture.read_bytes())])
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    runs = [
        CliRunner().invoke(main, [str(folder), "--isolated", "--format", "json", "--jobs", jobs]) for jobs in ("1", "2")
    ]
    assert runs[0].stdout == runs[1].stdout and json.loads(runs[0].stdout)["summary"]["files"] == 24
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before
    monkeypatch.chdir(tmp_path)
    Path("orvalidate.toml").write_text('[per-file-ignores]\n"*.yaml" = ["D", "F"]\n')
    result = CliRunner().invoke(main, ["recorded", "--select", "D,F"])
    assert {line.split(":")[0].rsplit(".", 1)[1] for line in result.stdout.splitlines()} == {"har"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interactions: []\nversion: 1\n", True),
        ("version: 1\nmeta: {a: [1, {b: 2}]}\ninteractions:\n- request: {}\n", True),
        ("{version: 1, interactions: []}\n", True),
        ("config:\n  interactions: []\n", False),  # not at the top level
        ("- interactions\n", False),
        ("interactions: 3\n", False),
        ("a: [\n", False),
        ("", False),
    ],
)
def test_is_cassette(text: str, expected: bool, tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    assert cassette.is_cassette(str(path)) is expected


def test_older_and_decoded_body_forms(tmp_path: Path) -> None:
    """vcrpy's older httpx form (`content:`), a plain `body:` string, and `parsed_body` text,
    as serializers of pytest-recording users write them."""
    capture = FIXTURES / "invalid" / "D001-no-output-text-done.sse"
    text = capture.read_text()
    headers = {"Content-Type": ["text/event-stream"]}
    forms = [{"content": text}, {"body": text}, {"parsed_body": text}, {"body": {"string": text.encode()}}]
    document = {
        "interactions": [
            {
                "request": {"method": "POST", "uri": URL, "body": None},
                "response": {"status": {"code": 200}, "headers": headers, **form},
            }
            for form in forms
        ]
    }
    path = tmp_path / "forms.yaml"
    path.write_text(yaml.safe_dump(document))
    report = check_file(str(path))
    bare = check_file(str(capture)).findings
    assert len(report.streams) == 4
    for entry in range(4):
        _same_findings_moved(
            bare,
            [f for f in report.findings if f.container.entry == entry],
            entry,
            None,
            where=f"interactions[{entry}]",
        )
