"""ByteStreamValidator: a capture fed in pieces gives the findings of the file on disk, and
each finding as soon as the bytes that decide it have arrived."""

from __future__ import annotations

from pathlib import Path

import pytest

from orvalidate.api import check_file
from orvalidate.incremental import ByteStreamValidator

from conftest import FIXTURES, require_real

CAPTURES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".sse", ".jsonl"))


def _fed(path: Path, size: int) -> tuple[list, list]:
    """(findings returned by feed/close in order, the final report's findings)."""
    data = path.read_bytes()
    validator = ByteStreamValidator(str(path))
    seen = []
    for start in range(0, len(data), size):
        seen += validator.feed(data[start : start + size])
    seen += validator.close()
    assert validator.report is not None
    return seen, validator.report.findings


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("size", [1, 7, 1 << 20])
def test_pieces_give_the_files_findings(path: Path, size: int) -> None:
    if size == 1 and path.stat().st_size > 20_000:
        size = 13  # byte by byte is slow on the long ones; 13 still splits every line
    _, found = _fed(path, size)
    assert found == check_file(str(path)).findings


def test_real_captures_fed_in_pieces() -> None:
    real = require_real()
    for path in sorted(real.iterdir()):
        if path.suffix in (".sse", ".jsonl"):
            _, found = _fed(path, 4096)
            assert found == check_file(str(path)).findings, path.name


def test_a_finding_comes_with_the_bytes_that_decide_it() -> None:
    path = FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse"
    data = path.read_bytes()
    done = data.index(b"event: response.output_text.done")
    end_of_block = data.index(b"\n\n", done) + 2
    validator = ByteStreamValidator(str(path), profile="openai")  # auto holds findings until it knows the profile
    assert "D004" not in {f.code for f in validator.feed(data[:done])}
    assert "D004" in {f.code for f in validator.feed(data[done:end_of_block])}
    validator.feed(data[end_of_block:])
    validator.close()


def test_end_of_stream_findings_come_at_close() -> None:
    """L002 (no terminal event) is decided by the end alone."""
    path = FIXTURES / "invalid" / "L002-no-terminal-event.sse"
    validator = ByteStreamValidator(str(path))
    before = validator.feed(path.read_bytes())
    after = validator.close()
    assert "L002" not in {f.code for f in before}
    assert "L002" in {f.code for f in after}
    assert validator.close() == []


def test_feed_after_close_is_refused() -> None:
    validator = ByteStreamValidator("x.sse")
    validator.close()
    with pytest.raises(ValueError):
        validator.feed(b"data: {}\n\n")


def test_empty_stream_is_f013() -> None:
    validator = ByteStreamValidator("x.sse")
    assert validator.feed(b"") == []
    assert "F013" in {f.code for f in validator.close()}
