"""Long texts are held compressed (state.keep, Run.add) and compared compressed: that may save
memory, never change a finding. With the threshold at 8 characters nearly every text of every
fixture and real capture takes the compressed path, D004-D006 mismatches included."""

from __future__ import annotations

import io

import pytest

from orvalidate import api, state

from conftest import FIXTURES, REAL


def _captures():
    found = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".sse", ".jsonl"))
    if REAL.is_dir():
        found += sorted(p for p in REAL.iterdir() if p.suffix in (".sse", ".jsonl"))
    return found


def _findings(data: bytes, name: str) -> list:
    return api.drain(api.check_stream(io.BytesIO(data), name)).findings


def test_compressed_texts_give_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    captures = [(str(p), p.read_bytes()) for p in _captures()]
    plain = [_findings(data, name) for name, data in captures]
    monkeypatch.setattr(state, "PLAIN_TEXT", 8)
    monkeypatch.setattr(state, "BATCH", 8)  # short runs reach the compressed blocks too
    packed = [_findings(data, name) for name, data in captures]
    assert packed == plain
    assert any(f.code in ("D004", "D005", "D006") for found in packed for f in found), "mismatches must be compared too"


def test_same_text_and_kept() -> None:
    long = "x" * (state.PLAIN_TEXT + 1) + "\ud800"
    held = state.keep(long)
    assert type(held) is bytes and len(held) < 10_000
    assert state.kept(held) == long and state.same_text(held, long)
    assert not state.same_text(held, long[:-1]) and not state.same_text(held, "short")
    assert state.keep("short") == "short" and state.same_text("short", "short")
