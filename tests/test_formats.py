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
        return CliRunner().invoke(
            main, list(args), env={**CLEAN_ENV, **(env or {})}, input=input, catch_exceptions=False
        )

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
        findings = [f for f in report["findings"] if f["path"] == file["path"]]
        failed = {f["stream"] or 0 for f in findings}  # a finding of no stream (F013) goes to the first
        # at most one failure per testcase; `failures` counts failed testcases, not findings
        assert all(len(case.findall("failure")) <= 1 for case in cases)
        failures = [failure for case in cases for failure in case.findall("failure")]
        assert len(failures) == len(failed) == int(suite.get("failures"))
        assert int(suite.get("failures")) <= int(suite.get("tests"))
        # the failure's text lists each of the testcase's findings, one a line
        listed = [line for failure in failures for line in failure.text.splitlines()]
        assert len(listed) == len(findings)
        by_stream: dict[int, set[str]] = {}
        for f in findings:
            by_stream.setdefault(f["stream"] or 0, set()).add(f["code"])
        assert sorted(failure.get("type") for failure in failures) == sorted(
            ",".join(sorted(c)) for c in by_stream.values()
        )
        for case in cases:
            assert case.get("classname") == re.sub(r"\.(sse|jsonl|ndjson)$", "", file["path"]).replace("/", ".")
        total_cases += len(cases)
        total_failures += len(failures)
    assert int(root.get("tests")) == total_cases
    assert int(root.get("failures")) == total_failures <= len(report["findings"])


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


def test_junit_one_failure_per_failed_testcase(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream with many findings is one failed testcase: the counts never exceed the tests."""
    source = (FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse").read_text(encoding="utf-8")
    broken = source.replace('"total_tokens":27', '"total_tokens":28').replace(
        '"sequence_number":5}', '"sequence_number":50}', 1
    )
    (tmp_path / "many.sse").write_text(broken, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    findings = json.loads(CliRunner().invoke(main, ["--format", "json", "many.sse"], env=CLEAN_ENV).stdout)["findings"]
    assert len(findings) >= 3
    result = CliRunner().invoke(main, ["--format", "junit", "many.sse"], env=CLEAN_ENV, catch_exceptions=False)
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), root.get("tests"), root.get("failures")) == ("1", "1", "1", "1")
    ((case,),) = [suite.findall("testcase")]
    (failure,) = case.findall("failure")
    assert failure.text.splitlines() == [
        f"many.sse:{f['line']}:{f['column']}: {f['code']} [{f['severity']}] {f['message']}" for f in findings
    ]
    assert case.get("classname") == "many"


@pytest.mark.parametrize(
    "path, expected",
    [
        ("fixtures/invalid/D004-x.sse", "fixtures.invalid.D004-x"),
        ("a.b/c.d.jsonl", "a_b.c_d"),
        ("capture", "capture"),
        ("./sub/x.ndjson", "sub.x"),
        ("-", "-"),
    ],
)
def test_junit_classname_is_dotted_without_the_extension(path: str, expected: str) -> None:
    from orvalidate.reporters.junit import classname

    assert classname(path) == expected
    assert not classname(path).endswith((".sse", ".jsonl", ".ndjson"))


CONSUMER_SCHEMAS = Path(__file__).resolve().parent / "consumer_schemas"


@pytest.mark.parametrize(
    "paths", [FILES, ("fixtures/invalid",), ("fixtures/valid",)], ids=["golden-set", "all-invalid", "all-valid"]
)
def test_junit_validates_against_jenkins_junit_10_xsd(cli, paths: tuple[str, ...]) -> None:
    """Jenkins' xunit plugin checks JUnit reports against junit-10.xsd (shipped as test data)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(CONSUMER_SCHEMAS / "junit-10.xsd")))
    document = etree.fromstring(cli("--format", "junit", *paths).stdout.encode("utf-8"))
    assert schema.validate(document), [str(e) for e in schema.error_log]


@pytest.mark.parametrize("paths", [FILES, ("fixtures/invalid",)], ids=["golden-set", "all-invalid"])
def test_junitparser_reads_the_counts_we_wrote(cli, tmp_path: Path, paths: tuple[str, ...]) -> None:
    """junitparser (what many CI plugins use) recounts the testcases and failures itself."""
    from junitparser import Failure, JUnitXml

    target = tmp_path / "report.xml"
    cli("--format", "junit", "--output-file", str(target), *paths)
    xml = JUnitXml.fromfile(str(target))
    report = _json_report(cli, *paths)
    failed = {
        (f["path"], f["stream"] or 0) for f in report["findings"]
    }  # a finding of no stream (F013) goes to the first
    suites = list(xml)
    assert [s.name for s in suites] == [f["path"] for f in report["files"]]
    for suite in suites:
        cases = list(suite)
        assert suite.tests == len(cases)
        assert suite.failures == sum(1 for case in cases if any(isinstance(r, Failure) for r in case.result))
        for case in cases:
            assert sum(isinstance(r, Failure) for r in case.result) == (
                (suite.name, int(case.name.split()[-1])) in failed
            )
    assert sum(s.failures for s in suites) == len(failed)
    xml.update_statistics()  # junitparser's own totals from the testcases: the same as ours
    assert (xml.tests, xml.failures) == (sum(len(list(s)) for s in suites), len(failed))


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
        # what GitHub's SARIF support marks required for rules: help.text, fullDescription.text
        assert rule["fullDescription"]["text"].startswith(codes.RULES[rule["id"]].summary)
        assert rule["help"]["text"].startswith(f"{rule['id']} {rule['name']}\n")
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
        assert not uri.startswith(("/", "./", "../")) and "\\" not in uri, uri
        assert uri == finding["path"]  # no character here needs percent-encoding
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert re.fullmatch(r"[0-9a-f]{64}", result["partialFingerprints"]["orvalidateFinding/v1"])
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


def test_sarif_help_text_is_the_rules_documentation(cli) -> None:
    """help.text is what `orvalidate rule CODE` prints, examples included."""
    rules = {r["id"]: r for r in _sarif(cli, *FILES)["runs"][0]["tool"]["driver"]["rules"]}
    for code in ("D004", "F003", "U001"):
        assert rules[code]["help"]["text"] == cli("rule", code).stdout
    assert "Fails:" in rules["D004"]["help"]["text"] and "Passes:" in rules["D004"]["help"]["text"]


def _uri(result: dict) -> dict:
    return result["locations"][0]["physicalLocation"]["artifactLocation"]


@pytest.mark.parametrize(
    "name, uri",
    [
        ("sub dir/a b%20#c.sse", "sub%20dir/a%20b%2520%23c.sse"),
        ("odd,name:here.sse", "odd%2Cname%3Ahere.sse"),
        ("caf\u00e9/x?.sse", "caf%C3%A9/x%3F.sse"),
    ],
)
def test_sarif_uri_is_a_percent_encoded_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, uri: str
) -> None:
    """A path is not a URI: space, `%`, `#`, `?`, `:` and non-ASCII are percent-encoded, so a
    reader of the URI finds the file again (`#` would start a fragment, `%20` is a space)."""
    from urllib.parse import unquote, urlsplit

    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "invalid" / "O009-item-done-with-other-type.jsonl", target)
    (tmp_path / ".git").mkdir()  # the repository root the URI is relative to
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--format", "sarif", name], env=CLEAN_ENV, catch_exceptions=False)
    location = _uri(json.loads(result.stdout)["runs"][0]["results"][0])
    assert location == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    parts = urlsplit(location["uri"])
    assert (parts.scheme, parts.query, parts.fragment) == ("", "", "")
    assert unquote(parts.path) == name


def test_sarif_and_gitlab_paths_are_relative_to_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from a subfolder, a capture elsewhere in the repository is named from its root."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "captures").mkdir()
    (tmp_path / "tools").mkdir()
    shutil.copy(FIXTURES / "invalid" / "O009-item-done-with-other-type.jsonl", tmp_path / "captures" / "bad.jsonl")
    monkeypatch.chdir(tmp_path / "tools")
    sarif = CliRunner().invoke(
        main, ["--format", "sarif", "../captures/bad.jsonl"], env=CLEAN_ENV, catch_exceptions=False
    )
    (result,) = json.loads(sarif.stdout)["runs"][0]["results"]
    assert _uri(result) == {"uri": "captures/bad.jsonl", "uriBaseId": "%SRCROOT%"}
    gitlab = CliRunner().invoke(
        main, ["--format", "gitlab", "../captures/bad.jsonl"], env=CLEAN_ENV, catch_exceptions=False
    )
    assert json.loads(gitlab.stdout)[0]["location"]["path"] == "captures/bad.jsonl"


def test_sarif_never_writes_dot_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A capture outside the repository is an absolute file: URI, not `../`."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    shutil.copy(FIXTURES / "invalid" / "O009-item-done-with-other-type.jsonl", tmp_path / "out side.jsonl")
    monkeypatch.chdir(tmp_path / "repo")
    result = CliRunner().invoke(main, ["--format", "sarif", "../out side.jsonl"], env=CLEAN_ENV, catch_exceptions=False)
    (found,) = json.loads(result.stdout)["runs"][0]["results"]
    assert _uri(found) == {"uri": (tmp_path / "out side.jsonl").as_uri()}
    assert '"../' not in result.stdout and "/../" not in result.stdout


def test_sarif_names_stdin(cli) -> None:
    capture = (FIXTURES / "invalid" / "O009-item-done-with-other-type.jsonl").read_bytes()
    named = cli("--format", "sarif", "--stdin-filename", "captures/piped.jsonl", "-", input=capture)
    assert _uri(json.loads(named.stdout)["runs"][0]["results"][0]) == {
        "uri": "captures/piped.jsonl",
        "uriBaseId": "%SRCROOT%",
    }
    bare = cli("--format", "sarif", "-", input=capture)
    location = _uri(json.loads(bare.stdout)["runs"][0]["results"][0])
    assert location["uri"] == "%3Cstdin%3E" and "uriBaseId" not in location
    assert "--stdin-filename" in location["description"]["text"]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_sarif_region_covers_the_event_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eol: str) -> None:
    """An SSE event's finding spans its block, `event:` to the last `data:` line (the column
    after its last character); a JSONL event is its line; a point inside a line has no end."""
    source = (FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse").read_text(encoding="utf-8")
    lines = source.split("\n")
    at = next(i for i, line in enumerate(lines) if line == "event: response.output_text.done")
    data = lines[at + 1]
    assert data.startswith("data: {")
    # the data split over two `data:` lines (joined with a newline, JSON whitespace) and a comment before
    cut = data.index(',"item_id"') + 1
    lines[at : at + 2] = [": a comment", lines[at], "data: " + data[6:cut], "data: " + data[cut:]]
    (tmp_path / "split.sse").write_text(eol.join(lines), encoding="utf-8", newline="")
    shutil.copy(FIXTURES / "invalid" / "O009-item-done-with-other-type.jsonl", tmp_path / "bad.jsonl")
    (tmp_path / "syntax.sse").write_text(
        'event: response.created\ndata: {"type": "response.created", oops}\n\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["--format", "sarif", "split.sse", "bad.jsonl", "syntax.sse"], env=CLEAN_ENV, catch_exceptions=False
    )
    document = json.loads(result.stdout)
    assert document["runs"][0]["columnKind"] == "unicodeCodePoints"
    regions = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r["locations"][0][
            "physicalLocation"
        ]["region"]
        for r in document["runs"][0]["results"]
    }
    start = at + 2  # 1-based, after the comment line
    assert regions[("D004", "split.sse")] == {
        "startLine": start,
        "startColumn": 1,
        "endLine": start + 2,
        "endColumn": len("data: " + data[cut:]) + 1,
    }
    assert regions[("O009", "bad.jsonl")] == {"startLine": 10, "startColumn": 1}
    f002 = regions[("F002", "syntax.sse")]
    assert f002["startLine"] == 2 and f002["startColumn"] > 1 and "endLine" not in f002
    assert [f"{e.json_path}: {e.message}" for e in _sarif_validator().iter_errors(document)] == []


def _sarif_validator():
    """The OASIS SARIF 2.1.0 schema (shipped as test data), with its formats checked:
    `uri-reference` through rfc3986-validator (in the test extra), so a raw path is an error."""
    import jsonschema

    schema = json.loads((CONSUMER_SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    assert "uri-reference" in checker.checkers, "rfc3986-validator is missing: `pip install -e '.[test]'`"
    return jsonschema.Draft7Validator(schema, format_checker=checker)


def test_sarif_validates_against_the_sarif_2_1_0_schema(cli) -> None:
    validator = _sarif_validator()
    for paths in (FILES, ("fixtures/invalid",), ("fixtures/valid",)):
        errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(_sarif(cli, *paths))]
        assert errors == []


def test_sarif_with_odd_paths_and_stdin_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "sub dir/a b%20#c.sse"
    (tmp_path / "sub dir").mkdir()
    shutil.copy(FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse", tmp_path / name)
    monkeypatch.chdir(tmp_path)
    validator = _sarif_validator()
    for args, given in ((["sub dir"], None), (["-"], (tmp_path / name).read_bytes())):
        result = CliRunner().invoke(
            main, ["--format", "sarif", *args], env=CLEAN_ENV, input=given, catch_exceptions=False
        )
        document = json.loads(result.stdout)
        assert document["runs"][0]["results"]
        assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)] == []


def test_the_sarif_schema_rejects_a_raw_path() -> None:
    """The check above can fail: the path as orvalidate wrote it before is no URI reference."""
    validator = _sarif_validator()
    location = {"uri": "sub dir/a b%20#c.sse"}
    errors = list(
        validator.evolve(schema={"$ref": "#/definitions/artifactLocation", **validator.schema}).iter_errors(location)
    )
    assert any("uri-reference" in e.message for e in errors)


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
    result = CliRunner().invoke(
        main, ["--format", "gitlab", "a.jsonl", "b.jsonl"], env=CLEAN_ENV, catch_exceptions=False
    )
    issues = json.loads(result.stdout)
    assert [i["location"]["path"] for i in issues] == ["a.jsonl", "b.jsonl"]
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


def _fingerprints(tmp_path: Path, name: str, data: bytes) -> tuple[list[str], list[str], list[int]]:
    """(GitLab fingerprints, SARIF partialFingerprints, lines) of one capture."""
    (tmp_path / name).write_bytes(data)
    gitlab = json.loads(
        CliRunner().invoke(main, ["--format", "gitlab", name], env=CLEAN_ENV, catch_exceptions=False).stdout
    )
    sarif = json.loads(
        CliRunner().invoke(main, ["--format", "sarif", name], env=CLEAN_ENV, catch_exceptions=False).stdout
    )
    partial = [r["partialFingerprints"]["orvalidateFinding/v1"] for r in sarif["runs"][0]["results"]]
    return [i["fingerprint"] for i in gitlab], partial, [i["location"]["lines"]["begin"] for i in gitlab]


def test_fingerprints_do_not_move_with_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines added above a finding (a comment, keep-alives, blank lines) leave its GitLab
    fingerprint and its SARIF partialFingerprint as they were: the widget and code scanning
    keep the same finding instead of showing it fixed plus a new one."""
    monkeypatch.chdir(tmp_path)
    source = (FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse").read_bytes()
    source = source.replace(b'"total_tokens":27', b'"total_tokens":28')  # a U001 too
    before, partial_before, lines_before = _fingerprints(tmp_path, "capture.sse", source)
    at = source.index(b"event: response.output_text.delta")
    moved = source[:at] + b": keep-alive\n\n: another one\n\n\n\n" + source[at:]
    after, partial_after, lines_after = _fingerprints(tmp_path, "capture.sse", moved)
    assert len(before) == 2 and [b - a for a, b in zip(lines_before, lines_after)] == [6, 6]
    assert after == before
    assert partial_after == partial_before == before  # one identity, in both formats


def test_fingerprints_change_with_the_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a constant: another file, or another code on the same event, is another finding."""
    monkeypatch.chdir(tmp_path)
    source = (FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse").read_bytes()
    first, _, _ = _fingerprints(tmp_path, "a.sse", source)
    other, _, _ = _fingerprints(tmp_path, "b.sse", source)
    assert len(first) == len(other) == 1 and first != other


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
    assert (
        len(lines)
        == len(CliRunner().invoke(main, ["--format", "json", name], env=CLEAN_ENV).stdout.split('"code":')) - 1
    )
    for line in lines:  # one command per finding, each on its own line: nothing forged
        assert _GITHUB_LINE.match(line), line
        assert line.startswith("::error file=odd%2Cname%3Ahere.sse,") or line.startswith(
            "::warning file=odd%2Cname%3Ahere.sse,"
        )
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
    assert (
        cli("--format", "text", *FILES, env={"GITHUB_ACTIONS": "true"}).stdout == cli("--format", "text", *FILES).stdout
    )


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
    ids=[
        "always",
        "never",
        "never+FORCE_COLOR",
        "always+NO_COLOR",
        "auto",
        "auto+NO_COLOR",
        "explicit-auto+NO_COLOR",
        "auto+FORCE_COLOR",
        "explicit-auto+FORCE_COLOR",
    ],
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
        extra = Finding(
            first.path,
            1,
            1,
            "S001",
            "schema-violation",
            "error",
            f"found {odd!s}",
            sequence_number=odd if isinstance(odd, int) else None,
        )
        report.files[0] = first._replace(findings=[*first.findings, extra])
    out = io.StringIO()
    REPORTERS["json"](report, out)
    assert out.getvalue() == json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert len(report.findings) > 20
