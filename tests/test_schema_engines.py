"""jsonschema-rs only vouches for valid events; python-jsonschema decides and words every S001.
Both engines together must give exactly what python-jsonschema alone gives, on every event of
every fixture and real capture, under every profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from orvalidate import schemas
from orvalidate.model import PROFILES, Event
from orvalidate.reader import read

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "captures" / "real"


def payloads() -> list[dict]:
    files = sorted((ROOT / "fixtures").rglob("*.sse")) + sorted((ROOT / "fixtures").rglob("*.jsonl"))
    if REAL.is_dir():
        files += sorted(p for p in REAL.iterdir() if p.suffix in (".sse", ".jsonl"))
    found = []
    for path in files:
        with open(path, "rb") as stream:
            found.extend(r.payload for r in read(stream, str(path))[1] if isinstance(r, Event) and r.payload)
    return found


@pytest.mark.parametrize("profile", PROFILES)
def test_both_engines_give_the_same_findings(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    events = payloads()
    assert len(events) > 1000
    with_rs = [schemas.check_event(e, profile) for e in events]
    monkeypatch.setattr(schemas, "_has_integral_float", lambda _: True)  # never vouched for: python-jsonschema alone
    alone = [schemas.check_event(e, profile) for e in events]
    assert with_rs == alone
    assert any(alone), "the comparison must include invalid events"


def test_an_integral_float_is_not_vouched_for() -> None:
    event = {"type": "response.output_text.delta", "sequence_number": 3.0, "item_id": "m", "output_index": 0,
             "content_index": 0, "delta": "x", "logprobs": []}
    assert [p.json_path for p in schemas.check_event(event, "openai")] == ["$.sequence_number"]
