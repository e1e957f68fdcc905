"""Every input under fuzz/crashes/ goes through the library without an exception.

A file there is a fuzzer input (fuzz/fuzz_reader_engine.py): its first byte picks the input
format, profile, --strict and --starting-after, the rest is the capture. Each file is checked
three ways: as the harness runs it (then through every reporter), and its bytes -- with and
without the option byte -- under every input format (sse, jsonl, sniffed) and every profile.

A file that still crashes is `xfail(strict=True)` in KNOWN with what it does; once validator/
is fixed the test passes, the strict mark turns that into a failure, and the entry goes.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from orvalidate.api import FileReport, check_stream
from orvalidate.model import PROFILES

from conftest import ROOT

sys.path.insert(0, str(ROOT / "fuzz"))
import fuzz_reader_engine as harness  # noqa: E402  (runs without atheris installed)

CRASHES = ROOT / "fuzz" / "crashes"
FILES = sorted(p for p in CRASHES.iterdir() if p.is_file() and not p.name.startswith(".")) if CRASHES.is_dir() else []
RUNS = [(path, fmt) for path, fmt in (("x.sse", None), ("x.jsonl", None), ("x", None), ("x", "sse"), ("x", "jsonl"))]

# file name -> what it still does (xfail strict). Fixed, and so not listed: unhashable-* (TypeError
# in state.py) and surrogate-key-in-part* (UnicodeEncodeError from jsonschema-rs), both in 2982868.
KNOWN: dict[str, str] = {}


def _params():
    for path in FILES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[path.name])] if path.name in KNOWN else []
        yield pytest.param(path, id=path.name, marks=marks)


def _consume(data: bytes, path: str, fmt: str | None, profile: str) -> None:
    items = list(check_stream(io.BytesIO(data), path, profile=profile, input_format=fmt))
    assert isinstance(items[-1], FileReport)


def test_the_crash_folder_is_not_empty() -> None:
    assert FILES, f"no inputs in {CRASHES}"
    assert set(KNOWN) <= {p.name for p in FILES}, "KNOWN names a file that is not in fuzz/crashes/"


@pytest.mark.parametrize("capture", list(_params()))
def test_crash_input_never_raises(capture: Path) -> None:
    data = capture.read_bytes()
    harness.TestOneInput(data)  # as the fuzzer runs it, reporters included
    for payload in (data, data[1:]):
        for path, fmt in RUNS:
            for profile in ("auto", *PROFILES):
                _consume(payload, path, fmt, profile)


def test_known_crashes_are_not_ignored_by_default() -> None:
    """FUZZ_IGNORE_KNOWN lets a long fuzzing run go past reported bugs; it is off unless set."""
    assert harness.IGNORE_KNOWN is False or "FUZZ_IGNORE_KNOWN" in __import__("os").environ
