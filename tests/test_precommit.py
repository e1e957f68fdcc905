"""The pre-commit hook, run for real: `pre-commit try-repo <this repository> orvalidate` in a
throw-away git repository holding one good and one bad capture.

try-repo reads .pre-commit-hooks.yaml at this repository's HEAD and, when the working tree has
uncommitted changes to tracked files, commits them to a shadow copy first; it then builds a
virtualenv and pip-installs this repository into it (the package index must be reachable; the
first run takes a while). PRE_COMMIT_HOME points at a temporary folder, so nothing is left in
the user's cache. This test does not skip: without git or pre-commit it fails and says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT

GOOD = FIXTURES / "valid" / "openai_text.sse"
BAD = FIXTURES / "invalid" / "O009-item-done-with-other-type.jsonl"
BAD_LINE = "bad.jsonl:10:1: O009 [error] "


def _pre_commit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        found = shutil.which("pre-commit")
        if found is None:
            pytest.fail("pre-commit is not installed: `pip install -e '.[test]'` installs it", pytrace=False)
        return [found]
    return [sys.executable, "-m", "pre_commit"]


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        pytest.fail("git is not on PATH: the pre-commit hook test needs it", pytrace=False)
    return found


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    env.pop("GITHUB_ACTIONS", None)  # the hook's output is text, wherever the test runs
    return env


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A git repository with good.sse, bad.jsonl and notes.txt added; and the environment."""
    git = _git()
    _pre_commit()
    if not (ROOT / ".git").exists():
        pytest.fail(f"{ROOT} is not a git repository: `pre-commit try-repo` needs one", pytrace=False)
    repo = tmp_path_factory.mktemp("captures")
    env = _environment(tmp_path_factory.mktemp("pre-commit-home"))
    shutil.copy(GOOD, repo / "good.sse")
    shutil.copy(BAD, repo / "bad.jsonl")
    (repo / "notes.txt").write_text("not a capture: the hook's `files` pattern leaves it out\n", encoding="utf-8")
    for command in (
        ["init", "-q", "."],
        ["config", "user.name", "orvalidate tests"],
        ["config", "user.email", "tests@orvalidate.invalid"],
        ["config", "commit.gpgsign", "false"],
        ["add", "good.sse", "bad.jsonl", "notes.txt"],
    ):
        subprocess.run([git, *command], cwd=repo, env=env, check=True, capture_output=True)
    return repo, env


def try_repo(captures: tuple[Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess:
    repo, env = captures
    return subprocess.run(
        [*_pre_commit(), "try-repo", str(ROOT), "orvalidate", "--color", "never", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _hook_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("orvalidate.")]
    assert len(lines) == 1, output
    return lines[0]


def test_hook_passes_on_a_good_capture(captures) -> None:
    result = try_repo(captures, "--files", "good.sse")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert _hook_line(output).endswith("Passed")


def test_hook_fails_on_a_bad_capture(captures) -> None:
    result = try_repo(captures, "--files", "bad.jsonl")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert _hook_line(output).endswith("Failed")
    assert "- exit code: 1" in output
    assert BAD_LINE in output


def test_hook_on_all_files_checks_only_captures(captures) -> None:
    result = try_repo(captures, "--all-files", "--verbose")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert BAD_LINE in output
    assert "notes.txt" not in output
    assert "1 error, 0 warnings in 2 files" in output  # good.sse and bad.jsonl, not notes.txt
