"""The same input and flags give byte-identical output, run after run, in every format.

Each pair of runs is two real processes with different PYTHONHASHSEED values, so an order that
depends on set or dict hashing of strings shows up. Both standard output and standard error are
compared (the text summary is on stderr). The folders are fixtures/ and the real corpus
(../shared/captures/real; skipped, saying why, when absent); the real corpus is also checked
with one job against two (the parallel path must not change the output).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REAL, ROOT, require_real

FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab")
TIMEOUT = 120


def start(target: Path, args: list[str], seed: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "NO_COLOR": "1"}
    for name in ("GITHUB_ACTIONS", "CI", "GITLAB_CI", "FORCE_COLOR"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "orvalidate", str(target), *args, "--isolated"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )


def both(first: subprocess.Popen, second: subprocess.Popen) -> tuple[tuple[int, bytes, bytes], ...]:
    results = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=TIMEOUT)
        assert b"Traceback" not in err, err.decode(errors="replace")[-3000:]
        results.append((proc.returncode, out, err))
    return tuple(results)


def assert_same(a: tuple[int, bytes, bytes], b: tuple[int, bytes, bytes]) -> None:
    assert a[0] == b[0], (a[0], b[0])
    if a[1] != b[1]:
        at = next(i for i, (x, y) in enumerate(zip(a[1], b[1])) if x != y) if min(len(a[1]), len(b[1])) else 0
        raise AssertionError(
            f"stdout differs at byte {at}: {a[1][at - 200 : at + 200]!r} vs {b[1][at - 200 : at + 200]!r}"
        )
    assert a[2] == b[2]


def corpus(name: str) -> Path:
    return FIXTURES if name == "fixtures" else require_real()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["fixtures", "real"])
def test_two_runs_are_byte_identical(name: str, fmt: str) -> None:
    target = corpus(name)
    # one job each, so the two processes run side by side on two cores
    args = ["--format", fmt, "--jobs", "1"]
    a, b = both(start(target, args, seed=0), start(target, args, seed=4242))
    assert a[0] == 1  # both folders hold captures with errors
    assert a[1]
    assert_same(a, b)


@pytest.mark.parametrize(
    "args", [["--statistics"], ["--strict", "--format", "json"], ["--profile", "openai", "--format", "sarif"]]
)
def test_other_flags_are_deterministic_too(args: list[str]) -> None:
    a, b = both(start(FIXTURES, [*args, "--jobs", "1"], seed=1), start(FIXTURES, [*args, "--jobs", "1"], seed=2))
    assert_same(a, b)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_parallel_jobs_give_the_same_output(fmt: str) -> None:
    target = REAL if REAL.is_dir() else FIXTURES
    a, b = both(
        start(target, ["--format", fmt, "--jobs", "1"], seed=3), start(target, ["--format", fmt, "--jobs", "2"], seed=5)
    )
    assert_same(a, b)


def test_stdin_and_file_give_the_same_findings() -> None:
    """`-` with --stdin-filename NAME reports exactly what NAME reports (the JSON report: the text
    format prints stdin's findings live, in the order they are found)."""
    capture = next(p for p in sorted((FIXTURES / "invalid").iterdir()) if p.suffix == ".sse")
    name = str(capture.relative_to(ROOT))
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    by_path = subprocess.run(
        [sys.executable, "-m", "orvalidate", name, "--format", "json", "--isolated"],
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=TIMEOUT,
    )
    by_stdin = subprocess.run(
        [sys.executable, "-m", "orvalidate", "-", "--stdin-filename", name, "--format", "json", "--isolated"],
        input=capture.read_bytes(),
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=TIMEOUT,
    )
    assert (by_stdin.returncode, by_stdin.stdout, by_stdin.stderr) == (
        by_path.returncode,
        by_path.stdout,
        by_path.stderr,
    )
