"""orvalidate never changes a file it reads: every capture keeps its bytes and its mtime.

Hashes (sha256), sizes and mtimes of every file in fixtures/, in ../shared/captures/real (when it
exists) and of a few hostile files in a temporary folder are taken, the CLI runs over them in
several formats (to standard output and with --output-file into another folder), and everything
is compared afterwards. The folders gain no files either (no caches, no reports beside captures).
"""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.cli import main

from conftest import FIXTURES, ROOT, require_real

VALID_SSE = FIXTURES / "valid" / "openai_text.sse"


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """{relative path: (sha256, size, mtime in ns)} of every file under `folder` (symlinks not followed)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            found[path.relative_to(folder).as_posix()] = (
                hashlib.sha256(path.read_bytes()).hexdigest(),
                info.st_size,
                info.st_mtime_ns,
            )
    return found


def invoke(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str, input: bytes | None = None):
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, [*args, "--isolated"], input=input, catch_exceptions=False)
    assert result.exit_code in (0, 1), (args, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def runs(target: str, out: Path) -> list[list[str]]:
    """The command lines to run over `target`: several formats, to stdout and into `out`."""
    return [
        [target],
        [target, "--format", "json"],
        [target, "--format", "sarif"],
        [target, "--format", "github", "--strict"],
        [target, "--format", "junit", "--statistics"],
        [target, "--format", "gitlab", "--jobs", "1"],
        [target, "--output-file", str(out / "report.txt")],
        [target, "--format", "json", "--output-file", str(out / "report.json")],
        [target, "--format", "sarif", "--output-file", str(out / "report.sarif")],
        [target, "--statistics", "--output-file", str(out / "statistics.txt")],
    ]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_fixtures_are_unchanged(out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(FIXTURES)
    assert len(before) > 50
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for args in runs(str(FIXTURES), out):
        invoke(cwd, monkeypatch, *args)
    # each capture on its own too, read through its path and through standard input
    for capture in sorted((FIXTURES / "valid").iterdir())[:3] + sorted((FIXTURES / "invalid").iterdir())[:6]:
        if capture.suffix in (".sse", ".jsonl"):
            invoke(ROOT, monkeypatch, str(capture.relative_to(ROOT)), "--format", "json")
            invoke(cwd, monkeypatch, "-", "--stdin-filename", str(capture), input=capture.read_bytes())
    after = snapshot(FIXTURES)
    assert after.keys() >= before.keys(), f"files vanished: {sorted(before.keys() - after.keys())}"
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"changed: {changed}"
    assert after.keys() == before.keys(), f"new files: {sorted(after.keys() - before.keys())}"
    assert list(cwd.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.sarif", "report.txt", "statistics.txt"]


def test_real_captures_are_unchanged(out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = require_real()
    before = snapshot(real)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for args in (
        [str(real)],
        [str(real), "--format", "json", "--output-file", str(out / "real.json")],
        [str(real), "--format", "sarif", "--output-file", str(out / "real.sarif")],
    ):
        invoke(cwd, monkeypatch, *args)
    assert snapshot(real) == before
    assert list(cwd.iterdir()) == []


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A few awkward captures: empty, noise, CRLF, unterminated, a suppression, a symlink, read-only."""
    folder = tmp_path / "captures"
    folder.mkdir()
    (folder / "empty.sse").write_bytes(b"")
    (folder / "noise.sse").write_bytes(random.Random(11).randbytes(8192))
    (folder / "crlf.sse").write_bytes(VALID_SSE.read_bytes().replace(b"\n", b"\r\n"))
    (folder / "unterminated.sse").write_bytes(VALID_SSE.read_bytes().rstrip(b"\n"))
    (folder / "suppressed.sse").write_bytes(b": orvalidate: file-ignore[L002]\n\n" + VALID_SSE.read_bytes())
    (folder / "wrong.jsonl").write_bytes(VALID_SSE.read_bytes())
    (folder / "link.sse").symlink_to("crlf.sse")
    readonly = folder / "readonly.jsonl"
    readonly.write_bytes(b'{"type":"response.created","sequence_number":0}\n')
    readonly.chmod(0o444)
    old = 1_000_000_000  # 2001: an mtime nothing would set by accident
    for path in folder.iterdir():
        if not path.is_symlink():
            os.utime(path, ns=(old * 10**9, old * 10**9))
    return folder


def test_tmp_captures_are_unchanged(hostile: Path, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(hostile)
    links = {p.name: os.readlink(p) for p in hostile.iterdir() if p.is_symlink()}
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for args in runs(str(hostile), out):
        invoke(cwd, monkeypatch, *args)
    for capture in sorted(hostile.iterdir()):
        invoke(cwd, monkeypatch, str(capture), "--format", "json")
        invoke(cwd, monkeypatch, "-", "--stdin-filename", str(capture), input=capture.read_bytes())
    assert snapshot(hostile) == before
    assert {p.name: os.readlink(p) for p in hostile.iterdir() if p.is_symlink()} == links
    assert sorted(p.name for p in hostile.iterdir()) == sorted(
        [
            "empty.sse",
            "noise.sse",
            "crlf.sse",
            "unterminated.sse",
            "suppressed.sse",
            "wrong.jsonl",
            "link.sse",
            "readonly.jsonl",
        ]
    )
    assert list(cwd.iterdir()) == []
    assert all(before[name][2] == 1_000_000_000 * 10**9 for name in before)
