"""Golden tests over fixtures/: each invalid capture's exact report, and silence on the valid ones.

`fixtures/invalid/<CODE>-<slug>.(sse|jsonl)` has a `.expected` beside it: the exact stdout of
`orvalidate <fixture path relative to the repository root>` run from the repository root, with
extra arguments from an optional one-line sidecar `<fixture>.args`. `pytest --update-golden`
rewrites the `.expected` files; a reviewer reads the diff.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.cli import main

from conftest import FIXTURES, ROOT

CAPTURE_SUFFIXES = (".sse", ".jsonl", ".ndjson")
NAME = re.compile(r"^(?P<code>[A-Z]\d{3})-[a-z0-9]+(?:-[a-z0-9]+)*$")

# Codes implemented in the foundation, each with at least one invalid capture here.
FOUNDATION_CODES = (
    "F001 F002 F003 F004 F005 F006 F007 F008 F009 F010 F011 F012 F013 F014 F015 "
    "S001 S002 S003 Q001 Q002 Q003 Q004 L001 L002 L003"
).split()

# Goldens hold what the tool *should* print. A fixture whose current output differs because of a
# known bug in validator/ is an expected failure (strict: it turns red once the bug is fixed, so the
# mark is removed) and `--update-golden` leaves its golden alone.
KNOWN_BUGS: dict[str, str] = {}


def captures(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in CAPTURE_SUFFIXES)


def extra_args(capture: Path) -> list[str]:
    sidecar = capture.with_name(capture.name + ".args")
    if not sidecar.exists():
        return []
    lines = [line for line in sidecar.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == 1, f"{sidecar}: one line of arguments expected"
    return shlex.split(lines[0])


def relative(capture: Path) -> str:
    return capture.relative_to(ROOT).as_posix()


def run(args: list[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    return CliRunner().invoke(main, args, catch_exceptions=False)


INVALID = captures(FIXTURES / "invalid")
VALID = captures(FIXTURES / "valid")


def invalid_param(capture: Path):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[capture.name])] if capture.name in KNOWN_BUGS else []
    return pytest.param(capture, id=capture.name, marks=marks)


@pytest.mark.parametrize("capture", [invalid_param(c) for c in INVALID])
def test_golden(capture: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    result = run([relative(capture), *extra_args(capture)], monkeypatch)
    assert result.exit_code in (0, 1), result.stderr
    golden = capture.with_name(capture.name + ".expected")
    if update_golden and capture.name not in KNOWN_BUGS:
        golden.write_text(result.stdout, encoding="utf-8", newline="\n")
    assert golden.exists(), f"{golden.name} is missing: run `pytest --update-golden` and read the result"
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("capture", [pytest.param(c, id=c.name) for c in INVALID])
def test_invalid_capture_reports_its_code(capture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    match = NAME.match(capture.name.rsplit(".", 1)[0])
    assert match, f"{capture.name}: name it <CODE>-<kebab-slug>.(sse|jsonl)"
    result = run([relative(capture), "--format", "json", *extra_args(capture)], monkeypatch)
    report = json.loads(result.stdout)
    codes = {f["code"] for f in report["findings"]}
    assert match["code"] in codes
    errors = any(f["severity"] == "error" for f in report["findings"])
    assert result.exit_code == (1 if errors else 0)


@pytest.mark.parametrize("capture", [pytest.param(c, id=c.name) for c in VALID])
def test_valid_capture_is_clean(capture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run([relative(capture), *extra_args(capture)], monkeypatch)
    assert result.stdout == ""
    assert result.exit_code == 0
    assert result.stderr.startswith("0 errors, 0 warnings in 1 file (1 streams, ")


@pytest.mark.parametrize("capture", [pytest.param(c, id=c.name) for c in VALID])
def test_valid_capture_is_clean_under_strict(capture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The valid captures use only fields the schemas declare."""
    result = run([relative(capture), "--strict", *extra_args(capture)], monkeypatch)
    assert result.stdout == ""
    assert result.exit_code == 0


def test_valid_captures_cover_both_formats_and_all_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = set()
    for capture in VALID:
        result = run([relative(capture), "--format", "json", *extra_args(capture)], monkeypatch)
        report = json.loads(result.stdout)
        profiles.update(s["profile"] for f in report["files"] for s in f["streams"])
    assert profiles == {"openrouter", "openai", "open-responses"}
    assert {c.suffix for c in VALID} == {".sse", ".jsonl"}


def test_every_foundation_code_has_an_invalid_capture() -> None:
    named = {c.name.split("-", 1)[0] for c in INVALID}
    assert set(FOUNDATION_CODES) <= named


def test_every_implemented_rule_has_an_invalid_capture() -> None:
    """DESIGN.md: every rule code has at least one invalid capture (a rule is implemented once it has a check)."""
    from orvalidate.rules import DOCS

    named = {c.name.split("-", 1)[0] for c in INVALID}
    missing = sorted(set(DOCS) - named)
    assert not missing, f"rules with a check but no fixtures/invalid/<CODE>-*.sse|jsonl: {', '.join(missing)}"


def test_every_invalid_capture_has_a_golden_and_no_stray_files() -> None:
    names = {p.name for p in (FIXTURES / "invalid").iterdir()}
    for capture in INVALID:
        assert capture.name + ".expected" in names
    for name in names:
        base = re.sub(r"\.(expected|args)$", "", name)
        assert base in {c.name for c in INVALID}, f"fixtures/invalid/{name} belongs to no capture"


def test_goldens_name_the_fixture_by_its_relative_path() -> None:
    for capture in INVALID:
        golden = capture.with_name(capture.name + ".expected").read_text(encoding="utf-8")
        for line in golden.splitlines():
            assert line.startswith(relative(capture) + ":"), line
