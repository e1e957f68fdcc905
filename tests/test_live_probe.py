"""`orvalidate probe` against a real server on 127.0.0.1 (tests/live_upstream.py): every
scenario passes on a server that answers right; every control of the upstream (chunking,
delays, gzip, error statuses, a dropped connection, a wrong content type, a stream that never
ends) and every flaw of its answers gives its finding or exit code, never a traceback."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.api import check_file
from orvalidate.cli import main
from orvalidate.live.scenarios import CATALOG

from conftest import FIXTURES, require_real
from live_upstream import Upstream, capture_as_sse


@pytest.fixture(scope="module")
def upstream():
    with Upstream() as server:
        yield server


def probe(upstream: Upstream, *args: str, url: str | None = None):
    result = CliRunner().invoke(
        main, ["probe", url or upstream.url, "--model", "test-model", *args], catch_exceptions=False
    )
    assert "Traceback" not in result.output
    return result


def codes_of(result) -> list[str]:
    return [line.split(": ", 2)[1].split()[0] for line in result.stdout.splitlines()]


def test_every_scenario_passes_on_a_server_that_answers_right(upstream: Upstream) -> None:
    result = probe(upstream)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith(f"{len(CATALOG)} of {len(CATALOG)} scenarios passed")
    assert {line.split(":")[0] for line in result.stderr.splitlines()[:-1]} == set(CATALOG)


def test_list_scenarios_and_unknown_ones() -> None:
    listed = CliRunner().invoke(main, ["probe", "--list-scenarios"])
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(CATALOG)
    assert len(CATALOG) == 12 and all(s.doc for s in CATALOG.values())
    unknown = CliRunner().invoke(main, ["probe", "http://127.0.0.1:9/v1", "--model", "m", "--scenario", "nope"])
    assert unknown.exit_code == 2 and "unknown scenario 'nope'" in unknown.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "missing option --model"),
        (["--model", "m", "--header", "no colon"], "expected 'Name: value'"),
        (["--model", "m", "--timeout", "0"], "--timeout"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["probe", "http://127.0.0.1:9/v1", *args])
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output


def test_a_server_that_cannot_be_reached_exits_2_in_one_line() -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(main, ["probe", f"http://127.0.0.1:{port}/v1", "--model", "m"])
    assert result.exit_code == 2
    assert result.stderr == f"orvalidate: cannot reach http://127.0.0.1:{port}/v1: connection refused\n"


@pytest.mark.parametrize(
    "headers, scenario",
    [
        (["X-Upstream-Chunk: 1"], "reasoning"),  # every byte boundary
        (["X-Upstream-Chunk: 3", "X-Upstream-Delay: 0.001"], "tool-calling-streaming"),
        (["X-Upstream-Gzip: 1"], "parallel-tool-calls"),
        (["X-Upstream-Gzip: 1", "X-Upstream-Chunk: 1"], "structured-output"),
    ],
)
def test_chunking_delays_and_gzip_change_nothing(upstream: Upstream, headers: list[str], scenario: str) -> None:
    args = [a for h in headers for a in ("--header", h)]
    result = probe(upstream, "--scenario", scenario, *args)
    assert (result.exit_code, result.stdout) == (0, ""), result.output


def test_a_capture_cut_at_every_byte_gives_the_findings_of_its_file(upstream: Upstream, tmp_path: Path) -> None:
    name = "D004-text-done-differs-from-deltas.sse"
    result = probe(
        upstream,
        "--scenario",
        "basic-response",
        "--header",
        f"X-Upstream-Capture: {name}",
        "--header",
        "X-Upstream-Chunk: 1",
        "--record",
        str(tmp_path),
        "--format",
        "json",
    )
    recorded = tmp_path / "basic-response.sse"
    assert recorded.read_bytes() == (FIXTURES / "invalid" / name).read_bytes()
    probed = [f for f in json.loads(result.stdout)["findings"] if not f["code"].startswith("P")]
    assert [(f["line"], f["code"], f["message"]) for f in probed] == [
        (f.line, f.code, f.message) for f in check_file(str(recorded)).findings
    ]
    assert "D004" in {f["code"] for f in probed}
    assert result.exit_code == 0  # D004 is a warning; the scenario's own expectations hold


@pytest.mark.parametrize(
    "status, quoted",
    [(401, "Incorrect API key provided."), (429, "Rate limit reached"), (500, "The server had an error")],
)
def test_error_statuses_are_p001_with_the_error_message(upstream: Upstream, status: int, quoted: str) -> None:
    result = probe(upstream, "--scenario", "basic-response", "--header", f"X-Upstream-Status: {status}")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"basic-response:1:1: P001 [error] HTTP {status}: '{quoted}")
    assert codes_of(result) == ["P001"]


def test_a_connection_dropped_mid_stream_is_p003(upstream: Upstream, tmp_path: Path) -> None:
    result = probe(
        upstream, "--scenario", "basic-response", "--header", "X-Upstream-Drop-After: 2000", "--record", str(tmp_path)
    )
    assert result.exit_code == 1
    assert "P003" in codes_of(result) and "incomplete chunked read" in result.stdout
    served = upstream.served[-1]
    assert (tmp_path / "basic-response.sse").read_bytes() == served[:2000]  # what arrived, kept as it came
    assert set(codes_of(result)) - {"P003"} <= {"L002", "F002", "F003", "D001", "D002", "D003"}


def test_a_wrong_content_type_is_p002(upstream: Upstream) -> None:
    result = probe(upstream, "--scenario", "basic-response", "--header", "X-Upstream-Content-Type: application/json")
    assert result.exit_code == 1
    assert codes_of(result) == ["P002"]
    assert "content-type is 'application/json'" in result.stdout


def test_a_server_that_ignores_stream_true_is_p002_alone(upstream: Upstream) -> None:
    """A JSON body is not read as a stream: no F002/F012 noise beside P002."""
    result = probe(upstream, "--scenario", "basic-response", "--header", "X-Upstream-Plain: 1")
    assert result.exit_code == 1
    assert codes_of(result) == ["P002"]


def test_a_stream_that_never_ends_is_p004_within_the_timeout(upstream: Upstream) -> None:
    result = probe(upstream, "--scenario", "basic-response", "--header", "X-Upstream-Hang: 1", "--timeout", "1")
    assert result.exit_code == 1
    assert codes_of(result) == ["P004"]
    assert "did not finish within 1 s" in result.stdout


@pytest.mark.parametrize(
    "flaw, scenario, code, words",
    [
        ("message-instead-of-call", "tool-calling", "P005", "expected a `function_call` item"),
        (
            "message-instead-of-call",
            "tool-calling-streaming",
            "P005",
            "no `response.function_call_arguments.delta` event",
        ),
        ("arguments-not-json", "tool-calling", "P006", "are not JSON"),
        ("arguments-invalid", "parallel-tool-calls", "P006", "'location' is a required property"),
        ("structured-invalid", "structured-output", "P007", "'country' is a required property"),
        ("ignores-max-tokens", "max-output-tokens", "P008", "ends 'completed', expected 'incomplete'"),
        ("failed", "basic-response", "P008", "ends 'failed': 'The model crashed.'"),
        (
            "plain-shape",
            "stream-and-plain",
            "P009",
            "output item types ['message'] streamed, ['message', 'reasoning'] plain",
        ),
    ],
)
def test_each_expectation_fails_on_its_flaw(
    upstream: Upstream, flaw: str, scenario: str, code: str, words: str
) -> None:
    result = probe(upstream, "--scenario", scenario, "--header", f"X-Upstream-Flaw: {flaw}")
    assert code in codes_of(result) and words in result.stdout, result.stdout
    assert set(codes_of(result)) == {code}  # one defect, one finding family: no cascade
    assert result.exit_code == (0 if code == "P009" else 1)  # P009 is a warning


def test_junit_gives_one_testcase_per_scenario(upstream: Upstream) -> None:
    result = probe(upstream, "--format", "junit", "--header", "X-Upstream-Flaw: structured-invalid")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == list(CATALOG)
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["structured-output"]
    assert root.get("tests") == str(len(CATALOG)) and root.get("failures") == "1"
    assert cases[0].find("system-out").text.startswith(CATALOG[cases[0].get("name")].summary)


def test_json_select_and_output_file(upstream: Upstream, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = probe(
        upstream,
        "--scenario",
        "basic-response",
        "--header",
        "X-Upstream-Status: 500",
        "--format",
        "json",
        "-o",
        str(out),
    )
    assert result.exit_code == 1 and result.stdout == ""
    assert [f["code"] for f in json.loads(out.read_text())["findings"]] == ["P001"]
    ignored = probe(upstream, "--scenario", "basic-response", "--header", "X-Upstream-Status: 500", "--ignore", "P001")
    assert (ignored.exit_code, ignored.stdout) == (0, "")


def test_record_writes_no_credential(upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-secret-from-env")
    result = probe(
        upstream,
        "--scenario",
        "tool-calling",
        "--scenario",
        "stream-and-plain",
        "--record",
        str(tmp_path),
        "--header",
        "X-Api-Key: another-secret",
        "--header",
        "X-Title: probe test",
    )
    assert result.exit_code == 0, result.output
    sent = upstream.requests[-2]["headers"]
    assert (b"authorization", b"Bearer sk-or-secret-from-env") in sent and (b"x-api-key", b"another-secret") in sent
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "stream-and-plain.plain.json",
        "stream-and-plain.request.json",
        "stream-and-plain.sse",
        "tool-calling.request.json",
        "tool-calling.sse",
    ]
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"secret" not in written
    request = json.loads((tmp_path / "tool-calling.request.json").read_text())
    assert request["body"] == CATALOG["tool-calling"].request("test-model")
    assert request["headers"]["x-title"] == "probe test" and "authorization" not in request["headers"]
    assert check_file(str(tmp_path / "tool-calling.sse")).findings == []


def test_real_captures_served_live_give_their_files_findings(upstream: Upstream, tmp_path: Path) -> None:
    real = require_real()
    for name in (
        "openrouter_gpt-4o_text_cost.sse",
        "openai_reasoning_then_function_call.jsonl",
        "openai_o3_truncated_no_terminal.jsonl",
    ):
        assert (real / name).is_file()
        served = tmp_path / f"{name}.sse"
        served.write_bytes(capture_as_sse(name))
        result = probe(
            upstream,
            "--scenario",
            "basic-response",
            "--header",
            f"X-Upstream-Capture: {name}",
            "--header",
            "X-Upstream-Chunk: 512",
            "--format",
            "json",
        )
        probed = [f for f in json.loads(result.stdout)["findings"] if not f["code"].startswith("P")]
        expected = check_file(str(served)).findings
        assert [(f["line"], f["code"], f["message"]) for f in probed] == [
            (f.line, f.code, f.message) for f in expected
        ], name


def test_the_api_key_comes_from_the_flag_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from orvalidate.live.probe import request_headers

    for name in ("ORVALIDATE_API_KEY", "OPENROUTER_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert request_headers(None, ()) == []
    monkeypatch.setenv("OPENAI_API_KEY", "c")
    monkeypatch.setenv("OPENROUTER_API_KEY", "b")
    assert request_headers(None, ()) == [("Authorization", "Bearer b")]
    monkeypatch.setenv("ORVALIDATE_API_KEY", "a")
    assert request_headers(None, ("X-Title: t",)) == [("Authorization", "Bearer a"), ("X-Title", "t")]
    assert request_headers("flag", ()) == [("Authorization", "Bearer flag")]
    assert request_headers("flag", ("Authorization: Key z",)) == [
        ("Authorization", "Key z")
    ]  # a header of one's own wins
