"""The suite passes on a clone with nothing beside it (no ../shared): a test that needs the real
captures skips, saying why, or reaches its sizes from data the project ships.

Where the real captures sit beside the checkout (every developer's machine here), nothing else
would notice a test that quietly needs them: this copies the checkout into a folder with nothing
beside it and runs there every test module that mentions them. It takes about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

# How a test module reaches the real captures: conftest's REAL, require_real or real_captures,
# or its own path to ../shared
_READS_REAL = re.compile(r"\bREAL\b|require_real|real_captures|\"shared\"")
_LEFT_OUT = ("__pycache__", "*.pyc", ".git", ".hypothesis", ".pytest_cache", "*.egg-info", "build", "dist")
_AGAIN = "ORVALIDATE_IN_A_FRESH_CLONE"  # set in the copy's run: it does not copy itself again


def test_the_tests_that_read_real_captures_pass_on_a_clone_without_them(tmp_path: Path) -> None:
    if os.environ.get(_AGAIN):
        pytest.skip("this run is the copy's")
    clone = tmp_path / "alone" / ROOT.name
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(*_LEFT_OUT))
    assert not (clone.parent / "shared").exists()
    modules = sorted(
        str(path.relative_to(clone))
        for path in (clone / "tests").glob("test_*.py")
        if path.name != Path(__file__).name and _READS_REAL.search(path.read_text(encoding="utf-8"))
    )
    assert "tests/test_corpus.py" in modules and "tests/test_schema_engines.py" in modules, modules
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GITHUB_ACTIONS")}
    env[_AGAIN] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *modules],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, f"without ../shared:\n{tail}\n{result.stderr[-2000:]}"
    assert "real captures not found" in result.stdout, f"no test said why it skipped:\n{tail}"
