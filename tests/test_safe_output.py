"""A capture can neither paint the terminal nor forge CI workflow commands through our output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.cli import main

EVIL = "\x1b[31mred\x1b[0m\r\n::add-mask::s3cret\n::error file=x,line=1::forged\u2028\x07"


def capture(tmp_path: Path, suffix: str) -> Path:
    payloads = [
        {"type": "response.created", "sequence_number": 0, "response": {"id": "r", "status": "in_progress"}},
        {"type": EVIL, "sequence_number": 1, "item_id": EVIL},
        {"type": "response.output_text.delta", "sequence_number": 2, "output_index": 0, "item_id": EVIL, "delta": EVIL},
    ]
    path = tmp_path / f"evil{suffix}"
    if suffix == ".sse":
        blocks = [f"event: {EVIL.splitlines()[0]}\ndata: {json.dumps(p)}\n\n" for p in payloads]
        path.write_text("".join(blocks) + f"{EVIL.splitlines()[0]}: x\n\n", encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(p) + "\n" for p in payloads), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".sse", ".jsonl"])
@pytest.mark.parametrize("output_format", ["text", "github"])
def test_no_escape_sequence_and_no_forged_command(tmp_path: Path, suffix: str, output_format: str) -> None:
    path = capture(tmp_path, suffix)
    result = CliRunner().invoke(
        main, ["--isolated", "--format", output_format, "--color", "never", str(path)], catch_exceptions=False
    )
    assert result.exit_code == 1
    out = result.stdout
    assert out, "the capture has findings"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]", out), "a control character reached the output"
    lines = out.splitlines()
    assert not any("add-mask" in line and line.startswith("::add-mask") for line in lines)
    if output_format == "github":
        assert all(
            re.match(r"^::(error|warning) file=[^,]*,line=\d+,col=\d+,title=[A-Z]\d{3} [a-z0-9-]+::", line)
            for line in lines
        )
    else:
        assert all(line.startswith(str(path) + ":") for line in lines)
    assert "s3cret" in out, "the text is shown, escaped, not dropped"
