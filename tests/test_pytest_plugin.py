"""The pytest plugin through pytester: captures and containers as items, enabled by the flag or
by the ini option, with -k, --lf, --junitxml and xdist."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import FIXTURES
from containers_helpers import har_entry, record_one, write_har
from loopback import LoopbackServer

pytest_plugins = ("pytester",)

VALID = FIXTURES / "valid" / "openrouter_text.sse"
INVALID = FIXTURES / "invalid" / "D001-no-output-text-done.sse"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with a test, a valid and an invalid capture, a cassette and a HAR file
    holding the invalid one, a YAML file that is not a cassette, and a plain text file."""
    captures = pytester.path / "tests" / "captures"
    captures.mkdir(parents=True)
    shutil.copy(VALID, captures / "good.sse")
    shutil.copy(INVALID, captures / "bad.sse")
    with LoopbackServer() as server:
        record_one(server, captures, INVALID).rename(captures / "bad_cassette.yaml")
    write_har(captures / "bad.har", [har_entry("https://api.openai.com/v1/responses", INVALID.read_bytes())])
    (captures / "settings.yaml").write_text("retries: 3\n")
    (captures / "notes.txt").write_text("not a capture\n")
    pytester.makepyfile(test_plain="def test_ordinary():\n    assert True\n")
    return pytester


def _outcomes(result: pytest.RunResult) -> dict[str, str]:
    """nodeid -> outcome, from `-rA` short summary lines."""
    found = {}
    for line in result.outlines:
        for outcome in ("PASSED", "FAILED", "ERROR"):
            if line.startswith(outcome + " "):
                found[line.split()[1]] = outcome
    return found


def test_inactive_without_the_flag(project: pytest.Pytester) -> None:
    result = project.runpytest("-rA")
    result.assert_outcomes(passed=1)


def test_flag_collects_captures_and_containers(project: pytest.Pytester) -> None:
    result = project.runpytest("--orvalidate", "-rA")
    assert _outcomes(result) == {
        "test_plain.py::test_ordinary": "PASSED",
        "tests/captures/bad.har::orvalidate": "FAILED",
        "tests/captures/bad.sse::orvalidate": "FAILED",
        "tests/captures/bad_cassette.yaml::orvalidate": "FAILED",
        "tests/captures/good.sse::orvalidate": "PASSED",
    }
    text = result.stdout.str()
    # the failure is the findings, one per line, as `orvalidate` prints them
    assert "tests/captures/bad.sse:13:1: D001 [error] 5 `output_text` deltas" in text
    assert "tests/captures/bad_cassette.yaml:" in text and "(interactions[0], stream line 13)" in text
    assert "(log.entries[0], stream line 13)" in text
    assert "Traceback" not in text and "runtest" not in text


def test_ini_option_enables_and_tool_orvalidate_filters(project: pytest.Pytester) -> None:
    project.makepyprojecttoml(
        '[tool.pytest.ini_options]\norvalidate = true\n\n[tool.orvalidate]\nexclude = ["*.har"]\nignore = ["D001"]\n'
    )
    result = project.runpytest("-rA")
    assert _outcomes(result) == {
        "test_plain.py::test_ordinary": "PASSED",
        "tests/captures/bad.sse::orvalidate": "PASSED",
        "tests/captures/bad_cassette.yaml::orvalidate": "PASSED",
        "tests/captures/good.sse::orvalidate": "PASSED",
    }


def test_k_and_marker_select_items(project: pytest.Pytester) -> None:
    result = project.runpytest("--orvalidate", "-rA", "-k", "good or cassette")
    assert set(_outcomes(result)) == {
        "tests/captures/good.sse::orvalidate",
        "tests/captures/bad_cassette.yaml::orvalidate",
    }
    result = project.runpytest("--orvalidate", "-rA", "-m", "not orvalidate")
    assert set(_outcomes(result)) == {"test_plain.py::test_ordinary"}


def test_last_failed_reruns_the_failing_captures(project: pytest.Pytester) -> None:
    project.runpytest("--orvalidate")
    result = project.runpytest("--orvalidate", "-rA", "--lf")
    assert set(_outcomes(result)) == {
        "tests/captures/bad.har::orvalidate",
        "tests/captures/bad.sse::orvalidate",
        "tests/captures/bad_cassette.yaml::orvalidate",
    }


def test_junitxml_carries_the_findings(project: pytest.Pytester) -> None:
    result = project.runpytest("--orvalidate", "--junitxml=report.xml")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    suite = ET.parse(project.path / "report.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "5" and suite.get("failures") == "3"
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    bad = cases[("tests.captures.bad.sse", "orvalidate")]
    failure = bad.find("failure")
    assert failure is not None and "D001 [error]" in (failure.text or "") + (failure.get("message") or "")
    assert cases[("tests.captures.good.sse", "orvalidate")].find("failure") is None


def test_xdist_runs_the_items_in_two_workers(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--orvalidate", "-n", "2", "-rA", "-p", "no:cacheprovider")
    outcomes = _outcomes(result)
    assert sorted(outcomes.values()) == ["FAILED", "FAILED", "FAILED", "PASSED", "PASSED"], result.stdout.str()
    assert "2 workers" in result.stdout.str()


def test_an_unreadable_file_is_an_error_item(project: pytest.Pytester) -> None:
    shutil.copy(VALID, project.path / "tests" / "captures" / "locked.sse")
    # collected, then gone before it is read (the tests run as root: permissions stop nothing)
    project.makeconftest(
        "import os\n\ndef pytest_collection_finish(session):\n    os.remove('tests/captures/locked.sse')\n"
    )
    result = project.runpytest("--orvalidate", "-rA")
    assert _outcomes(result)["tests/captures/locked.sse::orvalidate"] == "ERROR"
    errors = result.stdout.str().split("= ERRORS =")[1].split("= FAILURES =")[0]
    assert errors.splitlines()[2:-1] == ["orvalidate: tests/captures/locked.sse: No such file or directory"], errors
    result.assert_outcomes(passed=2, failed=3, errors=1)


def test_a_broken_cassette_is_a_failing_F017_item(project: pytest.Pytester) -> None:
    (project.path / "tests" / "captures" / "bad_cassette.yaml").write_text("interactions:\n- [\n")
    result = project.runpytest("--orvalidate", "-rA", "-k", "cassette")
    assert _outcomes(result) == {"tests/captures/bad_cassette.yaml::orvalidate": "FAILED"}
    assert "F017 [error] not valid YAML" in result.stdout.str()


def test_a_bad_orvalidate_config_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makepyprojecttoml('[tool.orvalidate]\nprofile = "nobody"\n')
    result = project.runpytest("--orvalidate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "orvalidate:" in result.stderr.str() and "profile" in result.stderr.str()
