"""--jobs N checks files in parallel processes and changes nothing in the output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orvalidate", *args], cwd=ROOT, capture_output=True, timeout=300)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_jobs_give_identical_output(output_format: str) -> None:
    one = run("--jobs", "1", "--format", output_format, "fixtures")
    two = run("--jobs", "2", "--format", output_format, "fixtures")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stdout
    assert one.stderr == two.stderr


def test_jobs_must_be_positive() -> None:
    result = run("--jobs", "0", "fixtures")
    assert result.returncode == 2 and b"Traceback" not in result.stderr
