"""The real captures: the tool reports exactly the codes reviewed in tests/corpus/expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import orvalidate

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "captures" / "real"
EXPECTED = json.loads((ROOT / "tests" / "corpus" / "expected.json").read_text(encoding="utf-8"))

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"the real captures are not at {REAL} (CI always has them)")


@needs_real
def test_every_real_capture_is_reviewed():
    captures = sorted(p.name for p in REAL.iterdir() if p.suffix in (".sse", ".jsonl"))
    assert captures == sorted(EXPECTED)


@needs_real
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_capture_codes(name):
    report = orvalidate.validate_path(REAL / name)
    assert sorted({f.code for f in report.findings}) == EXPECTED[name]["codes"]
    assert sorted(EXPECTED[name]["why"]) == EXPECTED[name]["codes"], "every code needs its reason"


@needs_real
def test_resumed_background_stream_is_clean_when_told():
    report = orvalidate.validate_path(REAL / "openai_background_resume_starting_after_0.sse", starting_after=0)
    assert report.findings == []


@needs_real
def test_openai_profile_knows_every_type_the_corpus_uses():
    report = orvalidate.validate_path(REAL, profile="openai")
    assert [f for f in report.findings if f.code == "S002"] == []
