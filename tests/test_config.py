"""Configuration as ruff users expect it: `[tool.orvalidate]` in pyproject.toml or an
orvalidate.toml found from the current directory upward, `--config`, `--isolated`; selectors
by code, prefix and name in the file and on the command line; severity, per-file-ignores,
profile, fail-on, format; and the flags that shape a run (`--fail-on`, `--exit-zero`,
`--statistics`, `-q`, `-v`, `--stdin-filename`).

Every run happens in a temporary directory holding `mixed.sse`: one D004 warning (line 31) and
one U001 error (line 40), built from fixtures/invalid/D004-text-done-differs-from-deltas.sse.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate import codes
from orvalidate.cli import main
from orvalidate.config import Config, ConfigError, find_config, from_table, load, selects

from conftest import FIXTURES

SOURCE = FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse"
CLEAN_ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "FORCE_COLOR": None}


def mixed_capture() -> bytes:
    data = SOURCE.read_bytes()
    changed = data.replace(b'"total_tokens":27', b'"total_tokens":28')
    assert changed != data
    return changed


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary project holding mixed.sse, and the current directory."""
    (tmp_path / "mixed.sse").write_bytes(mixed_capture())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, input: bytes | None = None, env: dict | None = None):
    return CliRunner().invoke(main, list(args), input=input, env={**CLEAN_ENV, **(env or {})}, catch_exceptions=False)


def found(*args: str, input: bytes | None = None) -> list[str]:
    """The codes reported by `orvalidate --format json ARGS`, in report order."""
    result = run("--format", "json", *args, input=input)
    assert result.exit_code in (0, 1), result.stderr
    return [f["code"] for f in json.loads(result.stdout)["findings"]]


def pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f'[project]\nname = "demo"\n\n[tool.orvalidate]\n{body}\n', encoding="utf-8")
    return path


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, repr(text)
    return text[:-1]


# ------------------------------------------------------------------------------------------------
# finding the configuration


def test_without_configuration_both_findings(project: Path) -> None:
    assert found("mixed.sse") == ["D004", "U001"]
    assert run("mixed.sse").exit_code == 1


def test_pyproject_tool_table(project: Path) -> None:
    pyproject(project, 'ignore = ["U001"]')
    assert found("mixed.sse") == ["D004"]
    result = run("mixed.sse")
    assert result.exit_code == 0
    assert result.stderr == "0 errors, 1 warning in 1 file (1 streams, 14 events)\n"


def test_found_from_a_subdirectory(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject(project, 'ignore = ["U001"]')
    sub = project / "captures" / "deep"
    sub.mkdir(parents=True)
    (sub / "here.sse").write_bytes(mixed_capture())
    monkeypatch.chdir(sub)
    assert found("here.sse") == ["D004"]


def test_pyproject_without_the_table_is_passed_over(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject(project, 'ignore = ["U001"]')
    sub = project / "package"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "inner"\n\n[tool.other]\nx = 1\n', encoding="utf-8")
    monkeypatch.chdir(sub)
    assert found("../mixed.sse") == ["D004"]
    assert find_config(sub) == project / "pyproject.toml"


def test_orvalidate_toml(project: Path) -> None:
    (project / "orvalidate.toml").write_text('ignore = ["D004"]\n', encoding="utf-8")
    assert found("mixed.sse") == ["U001"]


def test_orvalidate_toml_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    pyproject(project, 'ignore = ["U001"]')
    (project / "orvalidate.toml").write_text('ignore = ["D004"]\n', encoding="utf-8")
    assert found("mixed.sse") == ["U001"]


def test_the_nearest_file_wins(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject(project, 'ignore = ["U001"]')
    sub = project / "sub"
    sub.mkdir()
    (sub / "orvalidate.toml").write_text('ignore = ["D004"]\n', encoding="utf-8")
    monkeypatch.chdir(sub)
    assert found("../mixed.sse") == ["U001"]


def test_config_option_names_a_file(project: Path) -> None:
    pyproject(project, 'ignore = ["U001"]')  # found by search, but --config wins
    other = project / "settings"
    other.mkdir()
    (other / "ci.toml").write_text('ignore = ["D004"]\n', encoding="utf-8")
    assert found("--config", "settings/ci.toml", "mixed.sse") == ["U001"]


def test_config_option_reads_the_table_of_a_pyproject(project: Path) -> None:
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    pyproject(elsewhere, 'ignore = ["D004"]')
    assert found("--config", "elsewhere/pyproject.toml", "mixed.sse") == ["U001"]


def test_config_option_with_a_missing_file_exits_2(project: Path) -> None:
    result = run("--config", "missing.toml", "mixed.sse")
    assert result.exit_code == 2
    assert result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith("orvalidate: ") and "missing.toml" in line


def test_isolated_ignores_every_file(project: Path) -> None:
    pyproject(project, 'ignore = ["U001", "D004"]\nbogus = 1')
    assert found("mixed.sse") == []
    result = run("--isolated", "--format", "json", "mixed.sse")
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["D004", "U001"]
    assert result.stderr == ""  # not even the unknown-key warning


def test_isolated_with_a_broken_file_still_runs(project: Path) -> None:
    (project / "orvalidate.toml").write_text("select = [\n", encoding="utf-8")
    assert run("mixed.sse").exit_code == 2
    assert run("--isolated", "mixed.sse").exit_code == 1


def test_unknown_key_is_a_warning_and_the_run_goes_on(project: Path) -> None:
    pyproject(project, 'ignore = ["U001"]\nselekt = ["D"]')
    result = run("mixed.sse")
    assert result.exit_code == 0
    assert " D004 [warning] " in result.stdout
    first, summary = result.stderr.splitlines()
    assert first.startswith("orvalidate: warning: ") and "'selekt'" in first
    assert summary == "0 errors, 1 warning in 1 file (1 streams, 14 events)"


INVALID = {
    "fail-on": 'fail-on = "sometimes"',
    "profile": 'profile = "anthropic"',
    "severity-level": 'severity = { D004 = "fatal" }',
    "severity-not-a-table": 'severity = "error"',
    "severity-unknown-code": 'severity = { Z = "error" }',
    "select-unknown-code": 'select = ["X999"]',
    "select-not-a-list": "select = 5",
    "ignore-unknown-name": 'ignore = ["not-a-rule"]',
    "extend-select-unknown": 'extend-select = ["Q9"]',
    "per-file-ignores-not-a-table": 'per-file-ignores = ["*.sse"]',
    "per-file-ignores-unknown-code": 'per-file-ignores = { "*.sse" = ["Z"] }',
    "format-unknown": 'format = "xml"',
    "format-not-a-string": "format = 3",
    "not-toml": "select = [",
}


@pytest.mark.parametrize("body", INVALID.values(), ids=INVALID.keys())
@pytest.mark.parametrize("file_name", ["orvalidate.toml", "pyproject.toml"])
def test_invalid_value_exits_2_with_one_line(project: Path, body: str, file_name: str) -> None:
    if file_name == "pyproject.toml":
        pyproject(project, body)
    else:
        (project / file_name).write_text(body + "\n", encoding="utf-8")
    result = run("mixed.sse")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    line = one_line(result.stderr)
    assert line.startswith("orvalidate: ") and file_name in line
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------------------------------------
# selectors: codes, prefixes, names; in the file and on the command line

D004_SELECTORS = ["D004", "D", "D00", "d004", "done-text-mismatch"]
U001_SELECTORS = ["U001", "U", "U00", "usage-total-mismatch"]
F010_SELECTORS = ["F010", "F01", "missing-done-sentinel"]  # off under the openai profile


def _toml_list(selector: str) -> str:
    return f'["{selector}"]'


@pytest.mark.parametrize("selector", D004_SELECTORS)
def test_select_in_file(project: Path, selector: str) -> None:
    pyproject(project, f"select = {_toml_list(selector)}")
    assert found("mixed.sse") == ["D004"]


@pytest.mark.parametrize("selector", U001_SELECTORS)
def test_select_on_command_line(project: Path, selector: str) -> None:
    assert found("--select", selector, "mixed.sse") == ["U001"]


@pytest.mark.parametrize("selector", U001_SELECTORS)
def test_ignore_in_file(project: Path, selector: str) -> None:
    (project / "orvalidate.toml").write_text(f"ignore = {_toml_list(selector)}\n", encoding="utf-8")
    assert found("mixed.sse") == ["D004"]


@pytest.mark.parametrize("selector", D004_SELECTORS)
def test_ignore_on_command_line(project: Path, selector: str) -> None:
    assert found("--ignore", selector, "mixed.sse") == ["U001"]


@pytest.mark.parametrize("selector", F010_SELECTORS)
def test_extend_select_in_file(project: Path, selector: str) -> None:
    pyproject(project, f"extend-select = {_toml_list(selector)}")
    assert found("mixed.sse") == ["D004", "F010", "U001"]


@pytest.mark.parametrize("selector", F010_SELECTORS)
def test_extend_select_on_command_line(project: Path, selector: str) -> None:
    result = run("--extend-select", selector, "mixed.sse")
    assert "mixed.sse:40:1: F010 [error] " in result.stdout  # off under openai: its strongest level


def test_extend_select_adds_to_select(project: Path) -> None:
    pyproject(project, 'select = ["D"]\nextend-select = ["F010"]')
    assert found("mixed.sse") == ["D004", "F010"]


def test_ignore_wins_over_select(project: Path) -> None:
    assert found("--select", "D,U", "--ignore", "U001", "mixed.sse") == ["D004"]


def test_command_line_select_replaces_the_file_select(project: Path) -> None:
    pyproject(project, 'select = ["D"]')
    assert found("--select", "U", "mixed.sse") == ["U001"]


def test_command_line_ignore_adds_to_the_file_ignore(project: Path) -> None:
    pyproject(project, 'ignore = ["D004"]')
    assert found("--ignore", "U001", "mixed.sse") == []


@pytest.mark.parametrize(
    "args",
    [
        ["--ignore", "D004,U001"],
        ["--ignore", "D004", "--ignore", "U001"],
        ["--ignore", " D004 , usage-total-mismatch "],
    ],
)
def test_selectors_comma_separated_or_repeated(project: Path, args: list[str]) -> None:
    assert found(*args, "mixed.sse") == []


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_selector_on_command_line_exits_2(project: Path, option: str) -> None:
    result = run(option, "X999", "mixed.sse")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "X999" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count(option) == 1, result.stderr  # click names it; the message does not again


# ------------------------------------------------------------------------------------------------
# severity, per-file-ignores, profile, fail-on, format


def test_severity_raises_a_warning_to_an_error(project: Path) -> None:
    assert run("--ignore", "U001", "mixed.sse").exit_code == 0
    pyproject(project, 'severity = {D004 = "error"}')
    result = run("--ignore", "U001", "mixed.sse")
    assert result.exit_code == 1
    assert "mixed.sse:31:1: D004 [error] " in result.stdout


@pytest.mark.parametrize("selector", ["U001", "U", "usage-total-mismatch"])
def test_severity_lowers_an_error_to_a_warning(project: Path, selector: str) -> None:
    pyproject(project, f'severity = {{"{selector}" = "warning"}}')
    result = run("mixed.sse")
    assert result.exit_code == 0
    assert "mixed.sse:40:1: U001 [warning] " in result.stdout


@pytest.mark.parametrize("glob", ["mixed.sse", "*.sse", "m*", "mixed.*"])
def test_per_file_ignores(project: Path, glob: str) -> None:
    pyproject(project, f'per-file-ignores = {{ "{glob}" = ["U001"] }}')
    assert found("mixed.sse") == ["D004"]


def test_per_file_ignores_apply_only_to_matching_files(project: Path) -> None:
    (project / "captures").mkdir()
    (project / "captures" / "a.sse").write_bytes(mixed_capture())
    (project / "other").mkdir()
    (project / "other" / "b.sse").write_bytes(mixed_capture())
    pyproject(project, 'per-file-ignores = { "captures/*.sse" = ["U", "done-text-mismatch"] }')
    result = run("--format", "json", "captures", "other")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["code"]) for f in findings] == [("other/b.sse", "D004"), ("other/b.sse", "U001")]


def test_per_file_ignores_are_relative_to_the_configuration_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "captures").mkdir()
    (project / "captures" / "a.sse").write_bytes(mixed_capture())
    pyproject(project, 'per-file-ignores = { "captures/*.sse" = ["U001"] }')
    assert found("captures/a.sse") == ["D004"]
    monkeypatch.chdir(project / "captures")
    assert found("a.sse") == ["D004"]


def test_per_file_ignores_double_star_matches_at_the_top(project: Path) -> None:
    (project / "captures").mkdir()
    (project / "captures" / "a.sse").write_bytes(mixed_capture())
    pyproject(project, 'per-file-ignores = { "**/captures/*.sse" = ["U001"] }')
    assert found("captures/a.sse") == ["D004"]


def test_profile_in_file(project: Path) -> None:
    pyproject(project, 'profile = "openrouter"')
    result = run("--format", "json", "mixed.sse")
    data = json.loads(result.stdout)
    assert data["files"][0]["streams"][0]["profile"] == "openrouter"
    assert {(f["code"], f["severity"]) for f in data["findings"]} == {
        ("D004", "warning"),
        ("F010", "warning"),
        ("U001", "error"),
    }


def test_profile_flag_wins_over_the_file(project: Path) -> None:
    pyproject(project, 'profile = "openrouter"')
    assert found("--profile", "openai", "mixed.sse") == ["D004", "U001"]


def test_fail_on_warning_in_file(project: Path) -> None:
    assert run("--ignore", "U001", "mixed.sse").exit_code == 0
    pyproject(project, 'fail-on = "warning"')
    result = run("--ignore", "U001", "mixed.sse")
    assert result.exit_code == 1
    assert result.stderr == "0 errors, 1 warning in 1 file (1 streams, 14 events)\n"


def test_fail_on_warning_with_nothing_found_exits_0(project: Path) -> None:
    pyproject(project, 'fail-on = "warning"')
    assert run("--ignore", "D004,U001", "mixed.sse").exit_code == 0


def test_fail_on_flag(project: Path) -> None:
    assert run("--fail-on", "warning", "--ignore", "U001", "mixed.sse").exit_code == 1
    assert run("--fail-on", "error", "--ignore", "U001", "mixed.sse").exit_code == 0
    pyproject(project, 'fail-on = "warning"')
    assert run("--fail-on", "error", "--ignore", "U001", "mixed.sse").exit_code == 0


def test_format_in_file(project: Path) -> None:
    pyproject(project, 'format = "json"')
    result = run("mixed.sse")
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["D004", "U001"]


def test_format_flag_wins_over_the_file(project: Path) -> None:
    pyproject(project, 'format = "json"')
    assert run("--format", "text", "mixed.sse").stdout.startswith("mixed.sse:31:1: D004 [warning] ")


def test_format_in_file_wins_over_github_actions(project: Path) -> None:
    pyproject(project, 'format = "text"')
    assert run("mixed.sse", env={"GITHUB_ACTIONS": "true"}).stdout.startswith("mixed.sse:31:1: D004 [warning] ")


# ------------------------------------------------------------------------------------------------
# flags that shape a run


def test_exit_zero(project: Path) -> None:
    result = run("--exit-zero", "mixed.sse")
    assert result.exit_code == 0
    assert " U001 [error] " in result.stdout


def test_exit_zero_with_fail_on_warning(project: Path) -> None:
    assert run("--exit-zero", "--fail-on", "warning", "mixed.sse").exit_code == 0


def test_exit_zero_does_not_hide_usage_errors(project: Path) -> None:
    assert run("--exit-zero", "missing.sse").exit_code == 2


def test_statistics(project: Path) -> None:
    (project / "two.sse").write_bytes(mixed_capture() * 2)  # two streams, each with both findings
    result = run("--statistics", "two.sse", "mixed.sse")
    assert result.exit_code == 1
    assert result.stdout == "     3  D004  done-text-mismatch\n     3  U001  usage-total-mismatch\n"
    assert result.stderr == "3 errors, 3 warnings in 2 files (3 streams, 42 events)\n"


def test_statistics_most_frequent_first(project: Path) -> None:
    (project / "two.sse").write_bytes(mixed_capture() * 2)
    (project / "u001.sse").write_bytes((FIXTURES / "invalid" / "U001-total-is-not-input-plus-output.sse").read_bytes())
    result = run("--statistics", "two.sse", "u001.sse")
    assert result.stdout == "     3  U001  usage-total-mismatch\n     2  D004  done-text-mismatch\n"


def test_statistics_with_a_machine_format_go_to_stderr(project: Path) -> None:
    result = run("--statistics", "--format", "json", "mixed.sse")
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["D004", "U001"]
    assert result.stderr == "     1  D004  done-text-mismatch\n     1  U001  usage-total-mismatch\n"


def test_quiet_prints_no_summary(project: Path) -> None:
    result = run("-q", "mixed.sse")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout == run("mixed.sse").stdout


def test_verbose_lists_every_file(project: Path) -> None:
    (project / "clean.sse").write_bytes((FIXTURES / "valid" / "openai_text.sse").read_bytes())
    result = run("-v", "clean.sse", "mixed.sse")
    lines = result.stderr.splitlines()
    assert len(lines) == 4, result.stderr
    assert lines[0] == "orvalidate: configuration: none found (defaults)"
    assert lines[1].startswith("clean.sse: ok (1 streams, 18 events, ")
    assert lines[2].startswith("mixed.sse: 2 findings (1 streams, 14 events, ")
    assert lines[1].endswith(" s)") and lines[2].endswith(" s)")
    assert lines[3] == "1 error, 1 warning in 2 files (2 streams, 32 events)"
    assert result.stdout == run("clean.sse", "mixed.sse").stdout


def test_stdin_filename_names_the_findings(project: Path) -> None:
    result = run("--stdin-filename", "captures/live.sse", "-", input=mixed_capture())
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == ["captures/live.sse:31:1", "captures/live.sse:40:1"]
    json_result = run("--format", "json", "--stdin-filename", "captures/live.sse", "-", input=mixed_capture())
    assert {f["path"] for f in json.loads(json_result.stdout)["findings"]} == {"captures/live.sse"}


def test_stdin_without_a_name_is_dash(project: Path) -> None:
    result = run("-", input=mixed_capture())
    assert result.stdout.startswith("-:31:1: D004 ")


def test_per_file_ignores_match_the_stdin_filename(project: Path) -> None:
    pyproject(project, 'per-file-ignores = { "captures/*.sse" = ["U001"] }')
    assert found("--stdin-filename", "captures/live.sse", "-", input=mixed_capture()) == ["D004"]
    assert found("--stdin-filename", "elsewhere/live.sse", "-", input=mixed_capture()) == ["D004", "U001"]
    assert found("-", input=mixed_capture()) == ["D004", "U001"]


# ------------------------------------------------------------------------------------------------
# orvalidate.config as a library


def test_level_defaults_follow_the_profile() -> None:
    config = Config()
    assert config.level("D004", "openai") == "warning"
    assert config.level("U001", "openai") == "error"
    assert config.level("F010", "openai") is None
    assert config.level("F010", "openrouter") == "warning"
    assert config.level("F010", "open-responses") == "error"


def test_level_select_and_extend_select() -> None:
    config = Config(select=("D",))
    assert config.level("D004", "openai") == "warning"
    assert config.level("U001", "openai") is None
    # a rule off under the profile but selected gets its strongest level elsewhere
    assert Config(select=("F010",)).level("F010", "openai") == "error"
    assert Config(extend_select=("missing-done-sentinel",)).level("F010", "openai") == "error"
    assert Config(select=("D",), extend_select=("U00",)).level("U001", "openai") == "error"


def test_level_ignore() -> None:
    config = Config(ignore=("done-text-mismatch", "U"))
    assert config.level("D004", "openai") is None
    assert config.level("U006", "openrouter") is None
    assert config.level("D005", "openai") == "warning"
    assert Config(select=("D004",), ignore=("D",)).level("D004", "openai") is None


def test_level_severity_override() -> None:
    config = Config(severity={"D004": "error", "U": "warning"})
    assert config.level("D004", "openai") == "error"
    assert config.level("U001", "openai") == "warning"
    assert config.level("D005", "openai") == "warning"
    # severity does not turn on a rule that is off
    assert Config(severity={"F010": "error"}).level("F010", "openai") is None


def test_level_per_file_ignores() -> None:
    config = Config(per_file_ignores={"broken/*.sse": ("D004",), "*.jsonl": ("U",)})
    assert config.level("D004", "openai", "broken/a.sse") is None
    assert config.level("D004", "openai", "ok/a.sse") == "warning"
    assert config.level("U001", "openai", "deep/x.jsonl") is None
    assert config.level("U001", "openai", "deep/x.sse") == "error"
    assert config.level("D004", "openai") == "warning"  # no path: no per-file rule applies


def test_every_code_selects_itself_by_code_and_name() -> None:
    for code, rule in codes.RULES.items():
        assert selects(code, code)
        assert selects(rule.name, code)
        assert selects(code[0], code)
        assert not selects(rule.name, "D004" if code != "D004" else "D005")


def test_from_table_and_load(tmp_path: Path) -> None:
    config = from_table(
        {
            "select": "D",
            "ignore": ["D005"],
            "severity": {"D004": "error"},
            "per-file-ignores": {"*.sse": "U"},
            "fail-on": "warning",
            "format": "sarif",
            "profile": "openai",
            "extra": 1,
        },
        "here.toml",
    )
    assert config.select == ("D",)
    assert config.ignore == ("D005",)
    assert config.per_file_ignores == {"*.sse": ("U",)}
    assert (config.fail_on, config.format, config.profile, config.source) == ("warning", "sarif", "openai", "here.toml")
    assert len(config.warnings) == 1 and "'extra'" in config.warnings[0]
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.orvalidate]\nignore = ["U001"]\n', encoding="utf-8")
    assert load(path).ignore == ("U001",)
    with pytest.raises(ConfigError):
        from_table({"fail-on": "never"}, "x")


# ------------------------------------------------------------------------------------------------
# [tool.orvalidate] inside orvalidate.toml, -v naming the file, glob classes


def test_tool_table_inside_orvalidate_toml_is_read(project: Path) -> None:
    (project / "orvalidate.toml").write_text('[tool.orvalidate]\nignore = ["U001"]\n', encoding="utf-8")
    result = run("mixed.sse")
    assert result.exit_code == 0, result.stderr
    assert "unknown key" not in result.stderr
    assert found("mixed.sse") == ["D004"]


@pytest.mark.parametrize(
    "body",
    [
        'select = ["D"]\n[tool.orvalidate]\nignore = ["U001"]\n',
        '[tool.orvalidate]\nignore = ["U001"]\n[tool.ruff]\nline-length = 1\n',
    ],
    ids=["beside-top-level-keys", "beside-another-tool"],
)
def test_tool_table_beside_other_keys_exits_2(project: Path, body: str) -> None:
    (project / "orvalidate.toml").write_text(body, encoding="utf-8")
    result = run("mixed.sse")
    assert result.exit_code == 2
    assert result.stdout == ""
    line = one_line(result.stderr)
    assert "orvalidate.toml" in line and "[tool.orvalidate]" in line


@pytest.mark.parametrize("file_name", ["orvalidate.toml", "pyproject.toml"])
def test_verbose_names_the_configuration_file(project: Path, file_name: str) -> None:
    if file_name == "pyproject.toml":
        pyproject(project, 'ignore = ["U001"]')
    else:
        (project / file_name).write_text('ignore = ["U001"]\n', encoding="utf-8")
    result = run("-v", "mixed.sse")
    assert f"orvalidate: configuration: {project / file_name}" in result.stderr.splitlines()
    assert "orvalidate: configuration: none (--isolated)" in run("-v", "--isolated", "mixed.sse").stderr.splitlines()


@pytest.mark.parametrize(
    "glob, name, matches",
    [
        ("a[\\d].sse", "a5.sse", False),  # a backslash or a d, not a digit
        ("a[\\d].sse", "ad.sse", True),
        ("a[0-9].sse", "a5.sse", True),
        ("a[!0-9].sse", "a5.sse", False),
        ("a[!0-9].sse", "ab.sse", True),
        ("a[.].sse", "a..sse", True),
        ("a[.].sse", "ab.sse", False),
    ],
)
def test_per_file_ignores_glob_classes_are_globs(project: Path, glob: str, name: str, matches: bool) -> None:
    (project / name).write_bytes(mixed_capture())
    pyproject(project, f"per-file-ignores = {{ '{glob}' = [\"U001\"] }}")
    assert found(name) == (["D004"] if matches else ["D004", "U001"])
