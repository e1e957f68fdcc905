"""The CI snippets in docs/ci/ are real: they parse, the README shows them verbatim, and every
`orvalidate ...` command they hold runs against a copy of fixtures/invalid/ and writes the file
the next step reads.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from orvalidate import __version__
from orvalidate.cli import main

from conftest import FIXTURES, ROOT

CI = ROOT / "docs" / "ci"
SNIPPETS = sorted(CI.glob("*.yml")) + sorted(CI.glob("*.yaml"))
CLEAN_ENV = {"GITHUB_ACTIONS": None, "GITLAB_CI": None, "NO_COLOR": None, "FORCE_COLOR": None}


def _load(name: str) -> dict:
    return yaml.safe_load((CI / name).read_text(encoding="utf-8"))


def _github_runs() -> list[str]:
    workflow = _load("github-actions.yml")
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    return [line.strip() for run in runs for line in run.splitlines()]


def _gitlab_runs() -> list[str]:
    pipeline = _load("gitlab-ci.yml")
    return [line.strip() for job in pipeline.values() if isinstance(job, dict) for line in job.get("script", [])]


def _orvalidate_commands(lines: list[str]) -> list[list[str]]:
    return [shlex.split(line)[1:] for line in lines if shlex.split(line)[:1] == ["orvalidate"]]


COMMANDS = [("github-actions.yml", args) for args in _orvalidate_commands(_github_runs())] + [
    ("gitlab-ci.yml", args) for args in _orvalidate_commands(_gitlab_runs())
]


def test_snippets_exist() -> None:
    assert {p.name for p in SNIPPETS} >= {"github-actions.yml", "gitlab-ci.yml", "pre-commit-config.yaml"}


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_snippet_parses_as_yaml(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.name)
def test_readme_holds_the_snippet_verbatim(path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    assert f"```yaml\n{text}```" in readme, f"README.md does not show {path.name} verbatim in a ```yaml block"


def test_each_ci_snippet_runs_orvalidate() -> None:
    assert [name for name, _ in COMMANDS].count("github-actions.yml") >= 2
    assert [name for name, _ in COMMANDS].count("gitlab-ci.yml") >= 1


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout-like folder: fixtures/ holds a copy of the repository's fixtures/invalid/."""
    shutil.copytree(FIXTURES / "invalid", tmp_path / "fixtures")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _output_file(args: list[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg in ("--output-file", "-o"):
            return args[i + 1]
        if arg.startswith("--output-file="):
            return arg.split("=", 1)[1]
    return None


@pytest.mark.parametrize("snippet, args", COMMANDS, ids=[f"{name}:{' '.join(args)}" for name, args in COMMANDS])
def test_ci_command_runs(workspace: Path, snippet: str, args: list[str]) -> None:
    ci_env = {"GITHUB_ACTIONS": "true"} if snippet == "github-actions.yml" else {"GITLAB_CI": "true"}
    result = CliRunner().invoke(main, args, env={**CLEAN_ENV, **ci_env}, catch_exceptions=False)
    assert result.exit_code in (0, 1), (result.stdout, result.stderr)
    if "--exit-zero" in args:
        assert result.exit_code == 0
    output = _output_file(args)
    if output is None:
        assert result.stdout, "a command without --output-file prints its findings"
        if "--format" in args and args[args.index("--format") + 1] == "github":
            assert all(line.startswith(("::error ", "::warning ")) for line in result.stdout.splitlines())
        return
    assert result.stdout == ""
    written = (workspace / output).read_text(encoding="utf-8")
    document = json.loads(written)
    if output.endswith(".sarif"):
        assert document["version"] == "2.1.0"
        assert document["runs"][0]["results"]
    else:
        assert isinstance(document, list) and document
        assert all(issue["location"]["path"].startswith("fixtures/") for issue in document)


def test_github_upload_step_reads_the_sarif_file_written() -> None:
    workflow = _load("github-actions.yml")
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    written = {_output_file(args) for name, args in COMMANDS if name == "github-actions.yml"} - {None}
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert uploads and all(s["with"]["sarif_file"] in written for s in uploads)
    # the SARIF step must run even when the annotation step failed
    sarif_steps = [s for s in steps if "--format sarif" in s.get("run", "")]
    assert sarif_steps and all(s.get("if") == "always()" for s in sarif_steps + uploads)


def test_gitlab_artifact_is_the_report_written() -> None:
    pipeline = _load("gitlab-ci.yml")
    written = {_output_file(args) for name, args in COMMANDS if name == "gitlab-ci.yml"} - {None}
    reports = [
        job["artifacts"]["reports"]["codequality"]
        for job in pipeline.values()
        if isinstance(job, dict) and "artifacts" in job
    ]
    assert reports and all(report in written for report in reports)
    assert all(
        job["artifacts"].get("when") == "always"
        for job in pipeline.values()
        if isinstance(job, dict) and "artifacts" in job
    )


# ------------------------------------------------------------------------------------------------
# pre-commit: the snippet names the hook the manifest defines


def test_pre_commit_snippet_uses_the_manifest_hook() -> None:
    config = _load("pre-commit-config.yaml")
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = {hook["id"] for hook in manifest}
    (repo,) = config["repos"]
    assert {hook["id"] for hook in repo["hooks"]} <= ids
    assert repo["rev"] == f"v{__version__}", "the pre-commit snippet pins another version than the package's"


def test_manifest_hook_matches_captures_only() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"]) == ("orvalidate", "orvalidate", "python")
    pattern = re.compile(hook["files"])
    for name in ("a.sse", "dir/b.jsonl", "c.ndjson"):
        assert pattern.search(name), name
    for name in ("a.json", "b.sse.expected", "c.jsonl.args", "README.md"):
        assert not pattern.search(name), name


@pytest.mark.parametrize(
    "command, path",
    [("validate-manifest", ROOT / ".pre-commit-hooks.yaml"), ("validate-config", CI / "pre-commit-config.yaml")],
    ids=["manifest", "config-snippet"],
)
def test_pre_commit_accepts(command: str, path: Path) -> None:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.fail("pre-commit is not installed: `pip install -e '.[test]'` installs it", pytrace=False)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", command, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
