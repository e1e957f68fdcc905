"""The command line through click's CliRunner: exit codes, stdout and stderr apart, the JSON report."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from orvalidate import __version__, codes
from orvalidate.cli import main

from conftest import FIXTURES, ROOT

VALID_TEXT = "fixtures/valid/openai_text.sse"
VALID_JSONL = "fixtures/valid/openai_function_call.jsonl"
INVALID_Q002 = "fixtures/invalid/Q002-number-skipped.sse"
INVALID_L002 = "fixtures/invalid/L002-no-terminal-event.sse"
WARNING_ONLY = "fixtures/invalid/F004-header-line-in-stream.sse"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):
    """Run `orvalidate ARGS` from the repository root; stdout and stderr stay apart."""
    monkeypatch.chdir(ROOT)

    def invoke(*args: str, input: bytes | str | None = None):
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, repr(text)
    return text[:-1]


# ------------------------------------------------------------------------------------------------
# exit codes


def test_valid_capture_exits_0(cli) -> None:
    result = cli(VALID_TEXT)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert one_line(result.stderr) == "0 errors, 0 warnings in 1 file (1 streams, 18 events)"


def test_invalid_capture_exits_1(cli) -> None:
    result = cli(INVALID_Q002)
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{INVALID_Q002}:43:1: Q002 [error] ")
    assert one_line(result.stderr) == "1 error, 0 warnings in 1 file (1 streams, 18 events)"


def test_warnings_alone_exit_0(cli) -> None:
    result = cli(WARNING_ONLY)
    assert result.exit_code == 0
    assert " F004 [warning] " in result.stdout
    assert one_line(result.stderr) == "0 errors, 1 warning in 1 file (1 streams, 18 events)"


def test_exit_zero(cli) -> None:
    result = cli("--exit-zero", INVALID_Q002)
    assert result.exit_code == 0
    assert " Q002 [error] " in result.stdout


def test_missing_path_exits_2_with_one_line(cli) -> None:
    result = cli("no/such/capture.sse")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert one_line(result.stderr) == "orvalidate: no/such/capture.sse: no such file or directory"


def test_missing_path_next_to_a_good_one_still_exits_2(cli) -> None:
    result = cli(VALID_TEXT, "missing.sse")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "orvalidate: missing.sse: no such file or directory",
        "0 errors, 0 warnings in 1 file (1 streams, 18 events)",
    ]


def test_directory_without_captures_exits_2(cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a capture\n")
    (tmp_path / "sub").mkdir()
    result = cli(str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith(f"orvalidate: {tmp_path}: no captures")
    assert "Traceback" not in result.stderr


def test_directory_named_like_a_capture_exits_2(cli, tmp_path: Path) -> None:
    folder = tmp_path / "x.sse"
    folder.mkdir()
    result = cli(str(folder))
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith(f"orvalidate: {folder}: no captures")


def test_path_under_a_regular_file_exits_2(cli, tmp_path: Path) -> None:
    """`file.sse/x.sse` cannot exist even for root: one line on stderr, no traceback."""
    parent = tmp_path / "file.sse"
    parent.write_bytes(b"")
    result = cli(str(parent / "x.sse"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert one_line(result.stderr) == f"orvalidate: {parent / 'x.sse'}: not a directory"


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs UNIX sockets")
def test_file_that_cannot_be_opened_exits_2(cli, tmp_path: Path) -> None:
    """A UNIX socket named like a capture exists, but open() fails (ENXIO), even for root."""
    path = tmp_path / "live.sse"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        result = cli(str(path), VALID_TEXT)
    finally:
        server.close()
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"orvalidate: {path}: ")
    assert "Traceback" not in result.stderr
    assert lines[1:] == ["0 errors, 0 warnings in 1 file (1 streams, 18 events)"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a file with mode 000")
def test_unreadable_file_exits_2(cli, tmp_path: Path) -> None:
    capture = tmp_path / "secret.sse"
    shutil.copy(ROOT / VALID_TEXT, capture)
    capture.chmod(0)
    try:
        result = cli(str(capture))
    finally:
        capture.chmod(0o644)
    assert result.exit_code == 2
    assert one_line(result.stderr) == f"orvalidate: {capture}: Permission denied"


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus", VALID_TEXT],
        ["--format", "xml", VALID_TEXT],
        ["--profile", "anthropic", VALID_TEXT],
        ["--starting-after", "-1", VALID_TEXT],
        ["--starting-after", "x", VALID_TEXT],
        ["--input-format", "csv", VALID_TEXT],
        [],
    ],
    ids=[
        "unknown-option",
        "bad-format",
        "bad-profile",
        "negative-starting-after",
        "text-starting-after",
        "bad-input-format",
        "no-path",
    ],
)
def test_bad_usage_exits_2(cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage:" in result.stderr or "Error" in result.stderr
    assert "Traceback" not in result.stderr


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"orvalidate, version {__version__}\n"


def test_help(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for option in ("--format", "--profile", "--starting-after", "--input-format", "--strict", "--exit-zero"):
        assert option in result.stdout


def test_check_is_a_real_subcommand_and_the_default(cli) -> None:
    """The usage line says `orvalidate check [OPTIONS] PATH...`: both spellings work alike."""
    usage = CliRunner().invoke(main, ["--help"], prog_name="orvalidate").stdout.splitlines()[0]
    assert usage == "Usage: orvalidate check [OPTIONS] PATH..."
    bare = cli("--format", "json", "fixtures/invalid")
    named = cli("check", "--format", "json", "fixtures/invalid")
    assert named.exit_code == bare.exit_code == 1, named.stderr
    assert named.stdout == bare.stdout and named.stderr == bare.stderr == ""


def test_a_subcommand_added_to_the_group_is_dispatched(cli) -> None:
    """Dispatch derives from the group's registered commands: one decorator adds one."""
    from orvalidate import cli as cli_module

    @cli_module.main.command("hello-test")
    def hello() -> None:
        click.echo("hello")

    try:
        assert cli("hello-test").stdout == "hello\n"
    finally:
        del cli_module.main.commands["hello-test"]
    assert "hello-test: no such file or directory" in cli("hello-test").stderr


def test_output_format_is_an_alias_of_format(cli) -> None:
    assert cli("--output-format", "sarif", "fixtures/valid").stdout == cli("--format", "sarif", "fixtures/valid").stdout
    assert "--output-format" in cli("--help").stdout


def test_unparseable_capture_is_a_finding_not_a_crash(cli, tmp_path: Path) -> None:
    capture = tmp_path / "garbage.jsonl"
    capture.write_bytes(b"\x00\xff{{{\n[1,2\n")
    result = cli(str(capture))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    found = [line.split(": ", 2)[1].split()[0] for line in result.stdout.splitlines()]
    assert found == ["F002", "F001", "F002"]  # ordered by line and column: 1:1, 1:2, 2:5


def test_empty_file_is_f013(cli, tmp_path: Path) -> None:
    capture = tmp_path / "empty.sse"
    capture.write_bytes(b"")
    result = cli(str(capture))
    assert result.exit_code == 1
    assert result.stdout == f"{capture}:1:1: F013 [error] the capture holds no events at all\n"


# ------------------------------------------------------------------------------------------------
# stdin


def test_stdin_sse(cli) -> None:
    result = cli("-", input=(ROOT / INVALID_L002).read_bytes())
    assert result.exit_code == 1
    assert result.stdout.startswith("-:49:1: L002 [error] ")
    assert one_line(result.stderr) == "1 error, 0 warnings in 1 file (1 streams, 17 events)"


def test_stdin_jsonl_is_sniffed(cli) -> None:
    result = cli("-", input=(ROOT / VALID_JSONL).read_bytes())
    assert result.exit_code == 0
    assert result.stdout == ""


def test_stdin_json_report(cli) -> None:
    result = cli("--format", "json", "-", input=(ROOT / VALID_JSONL).read_bytes())
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["files"] == [
        {
            "path": "-",
            "format": "jsonl",
            "streams": [
                {
                    "index": 0,
                    "profile": "openai",
                    "events": 16,
                    "response_id": "resp_09b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6",
                    "status": "completed",
                }
            ],
        }
    ]


def test_stdin_with_input_format(cli) -> None:
    data = (ROOT / VALID_JSONL).read_bytes()
    assert cli("--input-format", "jsonl", "-", input=data).exit_code == 0
    result = cli("--input-format", "sse", "-", input=data)
    assert result.exit_code == 1
    assert " F004 [warning] " in result.stdout


def test_stdin_empty(cli) -> None:
    result = cli("-", input=b"")
    assert result.exit_code == 1
    assert result.stdout == "-:1:1: F013 [error] the capture holds no events at all\n"


# ------------------------------------------------------------------------------------------------
# the JSON report


FILE_KEYS = ["path", "format", "streams"]
STREAM_KEYS = ["index", "profile", "events", "response_id", "status"]
FINDING_KEYS = [
    "path",
    "line",
    "column",
    "code",
    "name",
    "severity",
    "message",
    "stream",
    "event_index",
    "sequence_number",
    "event_type",
    "json_path",
]
SUMMARY_KEYS = ["files", "streams", "events", "errors", "warnings"]


def check_shape(report: dict) -> None:
    assert list(report) == ["version", "files", "findings", "summary"]
    assert report["version"] == 1
    for file in report["files"]:
        assert list(file) == FILE_KEYS
        assert file["format"] in ("sse", "jsonl")
        for stream in file["streams"]:
            assert list(stream) == STREAM_KEYS
            assert isinstance(stream["index"], int) and isinstance(stream["events"], int)
            assert stream["profile"] in ("openrouter", "openai", "open-responses")
    for finding in report["findings"]:
        assert list(finding) == FINDING_KEYS
        assert finding["severity"] in ("error", "warning")
        assert finding["name"] == codes.RULES[finding["code"]].name
        assert isinstance(finding["line"], int) and finding["line"] >= 1
        assert isinstance(finding["column"], int) and finding["column"] >= 1
    assert list(report["summary"]) == SUMMARY_KEYS


def test_json_report_shape_and_values(cli) -> None:
    result = cli("--format", "json", INVALID_Q002)
    assert result.exit_code == 1
    assert result.stderr == ""
    report = json.loads(result.stdout)
    check_shape(report)
    assert report["files"] == [
        {
            "path": INVALID_Q002,
            "format": "sse",
            "streams": [
                {
                    "index": 0,
                    "profile": "openai",
                    "events": 18,
                    "response_id": "resp_0a7c1e9f3b5d2e4f60a1b2c3d4e5f60718293a4b5c6d7e8f",
                    "status": "completed",
                }
            ],
        }
    ]
    (finding,) = report["findings"]
    assert finding == {
        "path": INVALID_Q002,
        "line": 43,
        "column": 1,
        "code": "Q002",
        "name": "sequence-gap",
        "severity": "error",
        "message": finding["message"],
        "stream": 0,
        "event_index": 14,
        "sequence_number": 15,
        "event_type": "response.output_text.done",
        "json_path": "$.sequence_number",
    }
    assert "13 to 15" in finding["message"]
    assert report["summary"] == {"files": 1, "streams": 1, "events": 18, "errors": 1, "warnings": 0}


def test_json_report_of_a_directory(cli) -> None:
    result = cli("--format", "json", "fixtures/valid")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    check_shape(report)
    paths = [f["path"] for f in report["files"]]
    assert paths == sorted(paths)
    assert all(p.startswith("fixtures/valid/") for p in paths)
    assert {Path(p).name for p in paths} == {
        p.name for p in (FIXTURES / "valid").iterdir() if p.suffix in (".sse", ".jsonl")
    }
    assert report["findings"] == []
    assert report["summary"]["files"] == len(paths)
    assert report["summary"]["streams"] == len(paths)
    assert report["summary"]["errors"] == report["summary"]["warnings"] == 0


def test_json_report_is_deterministic(cli) -> None:
    first = cli("--format", "json", "fixtures/invalid").stdout
    second = cli("--format", "json", "fixtures/invalid").stdout
    assert first == second


def test_findings_are_ordered_by_path_line_column_code(cli) -> None:
    result = cli("--format", "json", "fixtures/invalid")
    report = json.loads(result.stdout)
    check_shape(report)
    keys = [(f["path"], f["line"], f["column"], f["code"]) for f in report["findings"]]
    assert keys == sorted(keys)
    assert len({f["path"] for f in report["findings"]}) > 20


def test_findings_ordered_by_path_when_paths_given_out_of_order(cli) -> None:
    result = cli("--format", "json", INVALID_Q002, INVALID_L002)
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["findings"]] == [INVALID_L002, INVALID_Q002]


def test_text_findings_within_a_file_are_ordered(cli) -> None:
    result = cli("fixtures/invalid/S003-extension-without-slug.sse", "--profile", "open-responses")
    found = [" ".join(line.split(": ", 2)[1].split()[:2]) for line in result.stdout.splitlines()]
    assert found == ["S002 [warning]", "S003 [warning]"]


def test_paths_stay_as_given(cli, tmp_path: Path) -> None:
    relative = cli("--format", "json", INVALID_Q002)
    assert json.loads(relative.stdout)["findings"][0]["path"] == INVALID_Q002
    assert relative.stdout.count(str(ROOT)) == 0
    absolute = str(ROOT / INVALID_Q002)
    result = cli("--format", "json", absolute)
    assert json.loads(result.stdout)["findings"][0]["path"] == absolute
    dotted = "./" + INVALID_Q002
    result = cli(dotted)
    assert result.stdout.startswith(dotted + ":43:1: ")


def test_paths_under_a_directory_keep_its_spelling(cli) -> None:
    result = cli("fixtures/invalid/../invalid")
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("fixtures/invalid/../invalid/") for line in lines)


def test_nested_directories_are_searched(cli, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    shutil.copy(ROOT / INVALID_Q002, tmp_path / "b" / "one.sse")
    shutil.copy(ROOT / VALID_JSONL, tmp_path / "a" / "deep" / "two.JSONL")
    shutil.copy(ROOT / INVALID_L002, tmp_path / "a" / "three.ndjson.txt")
    result = cli("--format", "json", str(tmp_path))
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["files"]] == [
        os.path.join(str(tmp_path), "a", "deep", "two.JSONL"),
        os.path.join(str(tmp_path), "b", "one.sse"),
    ]
    assert [f["format"] for f in report["files"]] == ["jsonl", "sse"]


def test_json_report_with_a_missing_path_still_prints_the_document(cli) -> None:
    result = cli("--format", "json", VALID_TEXT, "missing.jsonl")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["files"]] == [VALID_TEXT]
    assert one_line(result.stderr) == "orvalidate: missing.jsonl: no such file or directory"


def test_a_file_of_several_streams(cli, tmp_path: Path) -> None:
    """A `response.created` at sequence 0 after a terminal (and after `[DONE]`) starts a new stream."""
    for name in ("openrouter_text.sse", "openai_function_call.jsonl"):
        data = (FIXTURES / "valid" / name).read_bytes()
        capture = tmp_path / f"twice_{name}"
        capture.write_bytes(data + data)
        result = cli("--format", "json", str(capture))
        assert result.exit_code == 0
        report = json.loads(result.stdout)
        assert report["findings"] == []
        assert [s["index"] for s in report["files"][0]["streams"]] == [0, 1]
        assert report["summary"]["streams"] == 2


# ------------------------------------------------------------------------------------------------
# options


def test_input_format_overrides_the_extension(cli, tmp_path: Path) -> None:
    capture = tmp_path / "function_call.sse"
    shutil.copy(ROOT / VALID_JSONL, capture)
    result = cli(str(capture))
    assert result.exit_code == 1
    assert " F004 [warning] " in result.stdout
    result = cli("--input-format", "jsonl", str(capture))
    assert (result.exit_code, result.stdout) == (0, "")
    report = json.loads(cli("--input-format", "jsonl", "--format", "json", str(capture)).stdout)
    assert report["files"][0]["format"] == "jsonl"


def test_no_extension_is_sniffed(cli, tmp_path: Path) -> None:
    for source, fmt in ((VALID_JSONL, "jsonl"), (VALID_TEXT, "sse")):
        capture = tmp_path / f"capture_{fmt}"
        shutil.copy(ROOT / source, capture)
        result = cli("--format", "json", str(capture))
        assert result.exit_code == 0, result.stdout
        assert json.loads(result.stdout)["files"][0]["format"] == fmt


def resumed(tmp_path: Path, drop: int) -> Path:
    """openai_text.sse without its first `drop` events (each SSE block is 3 lines)."""
    lines = (ROOT / VALID_TEXT).read_text(encoding="utf-8").split("\n")
    capture = tmp_path / f"resumed_after_{drop - 1}.sse"
    capture.write_text("\n".join(lines[3 * drop :]), encoding="utf-8")
    return capture


def test_starting_after(cli, tmp_path: Path) -> None:
    capture = resumed(tmp_path, 2)  # starts with output_item.added, sequence_number 2
    plain = cli(str(capture))
    assert plain.exit_code == 1
    assert {line.split(": ", 2)[1].split()[0] for line in plain.stdout.splitlines()} >= {"Q001", "L001"}
    result = cli("--starting-after", "1", str(capture))
    assert (result.exit_code, result.stdout) == (0, "")
    result = cli("--starting-after", "0", str(capture))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{capture}:1:1: Q001 [error] the first sequence_number is 2, expected 1")


@pytest.mark.parametrize(
    "capture, profile, expected",
    [
        ("fixtures/valid/open_responses_text.sse", "open-responses", []),
        ("fixtures/valid/open_responses_text.sse", "openai", ["F015"]),
        ("fixtures/valid/openai_text.sse", "openai", []),
        ("fixtures/valid/openai_text.sse", "openrouter", ["F010"]),
        ("fixtures/valid/openai_text.sse", "open-responses", ["F010"]),
        ("fixtures/valid/openrouter_text.sse", "openrouter", []),
        ("fixtures/valid/openrouter_text.sse", "auto", []),
    ],
)
def test_profile(cli, capture: str, profile: str, expected: list[str]) -> None:
    result = cli("--format", "json", "--profile", profile, capture)
    report = json.loads(result.stdout)
    assert [f["code"] for f in report["findings"]] == expected
    picked = "openrouter" if profile == "auto" else profile
    assert [s["profile"] for s in report["files"][0]["streams"]] == [picked]


def test_profile_changes_severity(cli) -> None:
    capture = "fixtures/invalid/L001-starts-with-in-progress.sse"
    assert " L001 [error] " in cli("--profile", "openai", capture).stdout
    result = cli("--profile", "openrouter", capture)
    assert " L001 [warning] " in result.stdout


def test_auto_profile_is_named_in_the_report(cli) -> None:
    report = json.loads(cli("--format", "json", "fixtures/valid").stdout)
    profiles = {Path(f["path"]).name: f["streams"][0]["profile"] for f in report["files"]}
    assert profiles["openrouter_text.sse"] == "openrouter"
    assert profiles["openai_text.sse"] == "openai"
    assert profiles["openai_function_call.jsonl"] == "openai"


def test_strict_reports_undeclared_fields_as_warnings(cli, tmp_path: Path) -> None:
    capture = tmp_path / "extra.jsonl"
    text = (ROOT / VALID_JSONL).read_text(encoding="utf-8")
    capture.write_text(text.replace('"delta":', '"x_trace":"1","delta":', 1), encoding="utf-8")
    assert (cli(str(capture)).stdout, cli(str(capture)).exit_code) == ("", 0)
    result = cli("--strict", str(capture))
    assert result.exit_code == 0
    assert " S001 [warning] " in result.stdout and "x_trace" in result.stdout


# ------------------------------------------------------------------------------------------------
# rule documentation


def test_rules_lists_every_code(cli) -> None:
    result = cli("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(codes.RULES)
    q002 = next(line for line in lines if line.startswith("Q002"))
    assert "sequence-gap" in q002


def test_rules_json(cli) -> None:
    result = cli("rules", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == ["rules"]
    assert [r["code"] for r in data["rules"]] == list(codes.RULES)
    for rule in data["rules"]:
        assert list(rule) == ["code", "name", "severity", "summary"]
        assert set(rule["severity"]) == {"openrouter", "openai", "open-responses"}
        assert set(rule["severity"].values()) <= {"error", "warning", None}
    f010 = next(r for r in data["rules"] if r["code"] == "F010")
    assert f010["severity"] == {"openrouter": "warning", "openai": None, "open-responses": "error"}


def test_rule_prints_its_docstring(cli) -> None:
    from orvalidate.rules import DOCS

    result = cli("rule", "Q002")
    assert result.exit_code == 0
    assert result.stdout.startswith("Q002 sequence-gap\n")
    assert "Fails:" in result.stdout and "Passes:" in result.stdout
    first_doc_line = DOCS["Q002"].__doc__.strip().splitlines()[0]
    assert first_doc_line in result.stdout


@pytest.mark.parametrize("name", ["q002", "sequence-gap"])
def test_rule_by_lowercase_code_or_name(cli, name: str) -> None:
    result = cli("rule", name)
    assert result.exit_code == 0
    assert result.stdout.startswith("Q002 sequence-gap\n")


def test_unknown_rule_exits_2(cli) -> None:
    result = cli("rule", "X999")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "X999" in result.stderr


@pytest.mark.parametrize("code", sorted(codes.RULES))
def test_every_rule_has_documentation(cli, code: str) -> None:
    result = cli("rule", code)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{code} {codes.RULES[code].name}\n")
    assert "severity: " in result.stdout


@pytest.mark.parametrize("name", ["same", "symlink", "hardlink", "folder"])
def test_output_file_may_not_be_a_capture(cli, tmp_path: Path, name: str) -> None:
    """Inputs are never written: `-o` naming a capture being checked, by any name, is refused (exit 2)."""
    capture = tmp_path / "c.sse"
    capture.write_bytes((ROOT / INVALID_Q002).read_bytes())
    before = capture.read_bytes()
    output = {"same": capture, "folder": capture, "symlink": tmp_path / "out.json", "hardlink": tmp_path / "out.json"}[
        name
    ]
    if name == "symlink":
        output.symlink_to(capture)
    elif name == "hardlink":
        os.link(capture, output)
    result = cli(str(tmp_path if name == "folder" else capture), "--output-file", str(output))
    assert result.exit_code == 2
    assert "inputs are never written" in result.stderr
    assert capture.read_bytes() == before


def test_a_huge_message_is_cut(tmp_path: Path) -> None:
    import orvalidate

    key = "k" * 100_000
    validator = orvalidate.StreamValidator(profile="openai", strict=True)
    found = validator.feed({"type": "response.created", "sequence_number": 0, key: 1, "response": {}})
    assert found and all(len(f.message) <= 1000 for f in found)


def test_the_process_ends_without_teardown_but_with_all_its_output(tmp_path: Path) -> None:
    """cli.run leaves through os._exit after a check (no interpreter teardown): everything
    written to standard output, standard error and --output-file is there, and the exit code."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "orvalidate", str(ROOT / "fixtures"), "--isolated"]
    piped = subprocess.run([*command, "--format", "json"], capture_output=True)
    assert piped.returncode == 1
    assert len(json.loads(piped.stdout)["findings"]) > 20
    out = tmp_path / "report.json"
    written = subprocess.run([*command, "--format", "json", "-o", str(out)], capture_output=True)
    assert written.returncode == 1 and json.loads(out.read_text()) == json.loads(piped.stdout)
    text = subprocess.run(command, capture_output=True, text=True)
    assert text.returncode == 1 and "errors" in text.stderr.splitlines()[-1]
    assert len(text.stdout.splitlines()) == len(json.loads(piped.stdout)["findings"])
