"""The JSON report spooled as files come (`--format json`) is, byte for byte, the document that
model.Report gives for the same files: in any order of files, with repeats, with none, with
text the output stream must escape."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.api import check_file
from orvalidate.cli import main
from orvalidate.model import FileReport, Finding, Report, StreamSummary
from orvalidate.reporters import json_report

from conftest import FIXTURES, REAL

CAPTURES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".sse", ".jsonl"))


def _both(files: list[FileReport]) -> tuple[str, str]:
    whole, spooled = io.StringIO(), io.StringIO()
    json_report.write(Report(list(files)), whole)
    spool = json_report.Spooled()
    try:
        for file in files:
            spool.add(file)
        json_report.write(spool, spooled)
    finally:
        spool.close()
    return whole.getvalue(), spooled.getvalue()


@pytest.fixture(scope="module")
def reports() -> list[FileReport]:
    found = [check_file(str(p)) for p in CAPTURES]
    assert sum(len(r.findings) for r in found) >= 50  # the fixtures hold many findings
    return found


def test_same_document_on_the_fixtures(reports: list[FileReport]) -> None:
    whole, spooled = _both(reports)
    assert spooled == whole


@pytest.mark.parametrize("order", ["reversed", "repeated", "interleaved"])
def test_same_document_when_files_come_out_of_order(reports: list[FileReport], order: str) -> None:
    files = {
        "reversed": reports[::-1],
        "repeated": reports + reports,  # the same path twice: their findings interleave by line
        "interleaved": reports[1::2] + reports[::2],
    }[order]
    whole, spooled = _both(files)
    assert spooled == whole


@pytest.mark.parametrize("count", [0, 1])
def test_same_document_with_no_file_or_no_finding(reports: list[FileReport], count: int) -> None:
    clean = [r for r in reports if not r.findings][:count]
    whole, spooled = _both(clean)
    assert spooled == whole
    assert '"findings": []' in spooled


def test_same_document_with_a_lone_surrogate_and_a_huge_integer() -> None:
    odd = Finding("a\udcff.sse", 1, 1, "S001", "schema", "error", "bad \udcff", 0, 0, 2**70, "x", "$")
    file = FileReport("a\udcff.sse", "sse", [StreamSummary(0, "openrouter", 1, None, None)], [odd])
    whole, spooled = _both([file])
    assert spooled == whole
    assert "\udcff" in spooled  # the output stream escapes it, as for the whole report


def test_same_document_on_the_real_captures() -> None:
    if not REAL.is_dir():
        pytest.skip(f"real captures not found at {REAL}")
    files = [check_file(str(p)) for p in sorted(REAL.iterdir()) if p.suffix in (".sse", ".jsonl")]
    whole, spooled = _both(files)
    assert spooled == whole


def test_the_command_writes_the_spooled_document(reports: list[FileReport], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["--format", "json", "--jobs", "1", "-o", str(out), *map(str, CAPTURES)])
    assert result.exit_code == 1, result.output
    whole = io.StringIO()
    json_report.write(Report(reports), whole)
    assert out.read_text(encoding="utf-8") == whole.getvalue()
