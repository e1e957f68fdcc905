"""README's "In your test suite" is true: its snippets are the files in docs/testing/, shown
verbatim, and they run: the config and both test files in a pytester project with cassettes
that vcrpy records and a local server replaying fixtures, the command on real containers."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.cli import main

from conftest import FIXTURES, ROOT
from containers_helpers import har_entry, record_one, write_har
from loopback import LoopbackServer

pytest_plugins = ("pytester",)

DOCS = ROOT / "docs" / "testing"
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## In your test suite", 1)[1].split("\n## ", 1)[0]
VALID_SSE = FIXTURES / "valid" / "openai_text.sse"
VALID_JSONL = FIXTURES / "valid" / "openai_function_call.jsonl"
BROKEN = FIXTURES / "invalid" / "D001-no-output-text-done.sse"


@pytest.mark.parametrize("name", ["pytest-config.toml", "test_recorded.py", "test_sdk.py"])
def test_readme_shows_the_snippet_verbatim(name: str) -> None:
    assert f"`docs/testing/{name}`" in SECTION
    assert "\n" + (DOCS / name).read_text(encoding="utf-8") + "```" in SECTION


@pytest.fixture(scope="module")
def server():
    with LoopbackServer() as running:
        yield running


def _project(pytester: pytest.Pytester, server: LoopbackServer, answer: Path) -> None:
    (pytester.path / "tests" / "cassettes" / "legacy").mkdir(parents=True)
    (pytester.path / "tests" / "captures").mkdir()
    shutil.copy(DOCS / "pytest-config.toml", pytester.path / "pyproject.toml")
    for name in ("test_recorded.py", "test_sdk.py"):
        shutil.copy(DOCS / name, pytester.path / "tests" / name)
    record_one(server, pytester.path / "tests" / "cassettes", answer).rename(
        pytester.path / "tests" / "cassettes" / "test_answer.yaml"
    )
    record_one(server, pytester.path / "tests" / "cassettes" / "legacy", BROKEN)  # excluded by the config
    shutil.copy(answer, pytester.path / "tests" / "captures" / "answer.sse")
    shutil.copy(VALID_JSONL, pytester.path / "tests" / "captures" / "answer.jsonl")
    pytester.makeconftest(f"import pytest\n\n@pytest.fixture\ndef base_url():\n    return {server.url + '/v1'!r}\n")
    server.play(answer.read_bytes())


def _outcomes(result: pytest.RunResult) -> dict[str, str]:
    return {
        line.split()[1]: line.split()[0]
        for line in result.outlines
        if line.startswith(("PASSED ", "FAILED ", "ERROR "))
    }


def test_snippets_pass_on_valid_streams(pytester: pytest.Pytester, server: LoopbackServer) -> None:
    _project(pytester, server, VALID_SSE)
    result = pytester.runpytest("-rA", "-p", "no:cacheprovider")
    assert _outcomes(result) == {
        "tests/captures/answer.jsonl::orvalidate": "PASSED",
        "tests/captures/answer.sse::orvalidate": "PASSED",
        "tests/cassettes/test_answer.yaml::orvalidate": "PASSED",
        "tests/test_recorded.py::test_cassette_streams_are_valid": "PASSED",
        "tests/test_recorded.py::test_bytes_my_server_wrote": "PASSED",
        "tests/test_recorded.py::test_events_as_dicts": "PASSED",
        "tests/test_sdk.py::test_answer": "PASSED",
        "tests/test_sdk.py::test_answer_with_the_fixture": "PASSED",
    }


def test_snippets_fail_on_a_broken_stream(pytester: pytest.Pytester, server: LoopbackServer) -> None:
    _project(pytester, server, BROKEN)
    result = pytester.runpytest("-rA", "-p", "no:cacheprovider")
    outcomes = _outcomes(result)
    assert outcomes.pop("tests/captures/answer.jsonl::orvalidate") == "PASSED"
    assert outcomes.pop("tests/test_recorded.py::test_events_as_dicts") == "PASSED"
    assert outcomes.pop("tests/test_sdk.py::test_answer_with_the_fixture") == "ERROR"  # at teardown
    assert set(outcomes.values()) == {"FAILED"} and len(outcomes) == 5
    assert "D001 [error]" in result.stdout.str() and "StreamFindings" in result.stdout.str()


def test_readme_command_and_example_line(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (command,) = re.findall(r"^orvalidate (?!=).*$", SECTION, re.M)
    (example,) = re.findall(r"^tests/cassettes/\S+ .*$", SECTION, re.M)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tests" / "cassettes").mkdir(parents=True)
    (tmp_path / "recordings").mkdir()
    record_one(server, tmp_path / "tests" / "cassettes", BROKEN).rename("tests/cassettes/test_answer.yaml")
    write_har(
        tmp_path / "recordings" / "session.har",
        [har_entry("https://api.openai.com/v1/responses", VALID_SSE.read_bytes())],
    )
    result = CliRunner().invoke(main, [*shlex.split(command)[1:], "--isolated"])
    assert result.exit_code == 1
    (found,) = result.stdout.splitlines()
    head, tail = example.split("...`", 1)
    assert found.startswith(head) and found.endswith(tail), (found, example)
    assert "2 streams" in result.stderr  # the HAR's stream was checked too, and clean
