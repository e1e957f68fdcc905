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
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every try-repo run: one PRE_COMMIT_HOME, so the hook is built once."""
    _git()
    _pre_commit()
    if not (ROOT / ".git").exists():
        pytest.fail(f"{ROOT} is not a git repository: `pre-commit try-repo` needs one", pytrace=False)
    return _environment(tmp_path_factory.mktemp("pre-commit-home"))


def _repository(folder: Path, env: dict[str, str], files: dict[str, bytes]) -> Path:
    """A git repository in `folder` with `files` written and staged."""
    for name, data in files.items():
        (folder / name).write_bytes(data)
    for command in (
        ["init", "-q", "."],
        ["config", "user.name", "orvalidate tests"],
        ["config", "user.email", "tests@orvalidate.invalid"],
        ["config", "commit.gpgsign", "false"],
        ["add", *files],
    ):
        subprocess.run([_git(), *command], cwd=folder, env=env, check=True, capture_output=True)
    return folder


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory, environment: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A git repository with good.sse, bad.jsonl and notes.txt added; and the environment."""
    files = {
        "good.sse": GOOD.read_bytes(),
        "bad.jsonl": BAD.read_bytes(),
        "notes.txt": b"not a capture: the hook's `files` pattern leaves it out\n",
    }
    return _repository(tmp_path_factory.mktemp("captures"), environment, files), environment


def binary_looking_capture() -> bytes:
    """A capture identify tags `binary` (a NUL byte in its first KiB, inside the first event's
    JSON); orvalidate reports it as F002."""
    source = GOOD.read_bytes()
    at = source.index(b'"id":"') + len(b'"id":"')
    assert at < 1024
    return source[:at] + b"\x00" + source[at:]


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


def test_hook_fails_on_a_staged_binary_looking_capture(tmp_path: Path, environment: dict[str, str]) -> None:
    """`types: [text]` skipped it ("(no files to check) Skipped", exit 0) while orvalidate
    reports F002 on it."""
    from identify import identify

    repo = _repository(tmp_path, environment, {"broken.sse": binary_looking_capture()})
    assert "binary" in identify.tags_from_path(str(repo / "broken.sse"))
    result = try_repo((repo, environment))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert _hook_line(output).endswith("Failed")
    assert "broken.sse:2:52: F002 [error] " in output


def test_hook_matches_extensions_in_any_case(tmp_path: Path, environment: dict[str, str]) -> None:
    repo = _repository(tmp_path, environment, {"LOUD.SSE": binary_looking_capture(), "Bad.JsonL": BAD.read_bytes()})
    result = try_repo((repo, environment))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert _hook_line(output).endswith("Failed")
    assert "LOUD.SSE:2:52: F002 [error] " in output and "Bad.JsonL:10:1: O009 [error] " in output


def test_hook_prints_one_summary_per_run(tmp_path: Path, environment: dict[str, str]) -> None:
    """pre-commit splits files into batches of at least 4, one per CPU, unless the hook is
    require_serial: nine captures gave two orvalidate runs and two summaries on two CPUs."""
    files = {f"capture{n}.sse": GOOD.read_bytes() for n in range(8)}
    files["bad.jsonl"] = BAD.read_bytes()
    repo = _repository(tmp_path, environment, files)
    result = try_repo((repo, environment), "--all-files", "--verbose")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    summaries = [line for line in output.splitlines() if " warnings in " in line or " warning in " in line]
    assert len(summaries) == 1 and summaries[0].startswith("1 error, 0 warnings in 9 files "), output
