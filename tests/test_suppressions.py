"""Suppression comments inside SSE captures: `: orvalidate: ignore[...]` for one block's event,
`: orvalidate: file-ignore[...]` for the whole file, and F016 for a suppression that suppresses
nothing (unused, unknown code, or a code that fires elsewhere but not on that event).

Captures are built from fixtures/invalid/D004-text-done-differs-from-deltas.sse by editing a
payload and inserting comment lines. `base(copies=2)` is two streams, each with the D004 warning
on its `response.output_text.done` event and, in the completed event, U001 and U003 errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.cli import main

from conftest import FIXTURES

SOURCE = FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse"
DONE = "event: response.output_text.done"
COMPLETED = "event: response.completed"
CREATED = "event: response.created"
CLEAN_ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "FORCE_COLOR": None}


def base(copies: int = 1, usage_errors: bool = True) -> list[str]:
    """The lines of the capture (each stream: D004 at its `.done`, U001+U003 at its completion)."""
    text = SOURCE.read_text(encoding="utf-8")
    if usage_errors:
        edited = text.replace('"reasoning_tokens":0},"total_tokens":27', '"reasoning_tokens":99},"total_tokens":28')
        assert edited != text
        text = edited
    return (text * copies).splitlines()


def insert(lines: list[str], comment: str, before: str, occurrence: int = 0, offset: int = 0) -> list[str]:
    """`lines` with `comment` inserted `offset` lines after the `occurrence`-th line equal to `before`."""
    places = [i for i, line in enumerate(lines) if line == before]
    at = places[occurrence] + offset
    return lines[:at] + [comment] + lines[at:]


def findings(tmp_path: Path, lines: list[str], *args: str, name: str = "capture.sse") -> list[tuple[str, int, str]]:
    """(code, line, severity) of every finding, from the JSON report."""
    result = check(tmp_path, lines, "--format", "json", *args, name=name)
    assert result.exit_code in (0, 1), result.stderr
    return [(f["code"], f["line"], f["severity"]) for f in json.loads(result.stdout)["findings"]]


def check(tmp_path: Path, lines: list[str], *args: str, name: str = "capture.sse"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return CliRunner().invoke(main, ["--isolated", *args, str(path)], env=CLEAN_ENV, catch_exceptions=False)


def line_of(lines: list[str], text: str, occurrence: int = 0) -> int:
    """1-based number of the `occurrence`-th line equal to `text`."""
    return [i for i, line in enumerate(lines) if line == text][occurrence] + 1


def codes_of(found: list[tuple[str, int, str]]) -> list[str]:
    return [code for code, _, _ in found]


# ------------------------------------------------------------------------------------------------
# the base capture, unsuppressed


def test_base_capture_findings(tmp_path: Path) -> None:
    lines = base(copies=2)
    assert findings(tmp_path, lines) == [
        ("D004", line_of(lines, DONE, 0), "warning"),
        ("U001", line_of(lines, COMPLETED, 0), "error"),
        ("U003", line_of(lines, COMPLETED, 0), "error"),
        ("D004", line_of(lines, DONE, 1), "warning"),
        ("U001", line_of(lines, COMPLETED, 1), "error"),
        ("U003", line_of(lines, COMPLETED, 1), "error"),
    ]


# ------------------------------------------------------------------------------------------------
# ignore[...]: one block's event


@pytest.mark.parametrize("offset", [0, 1, 2], ids=["before-event-line", "between-event-and-data", "after-data"])
def test_ignore_covers_its_block_only(tmp_path: Path, offset: int) -> None:
    lines = insert(base(copies=2), ": orvalidate: ignore[D004]", DONE, 0, offset)
    found = findings(tmp_path, lines)
    # the same defect on the second stream's event is still reported, and nothing is F016
    assert codes_of(found) == ["U001", "U003", "D004", "U001", "U003"]
    assert ("D004", line_of(lines, DONE, 1), "warning") in found


def test_ignore_two_codes_on_one_event(tmp_path: Path) -> None:
    lines = insert(base(copies=2), ": orvalidate: ignore[U001,U003]", COMPLETED, 0)
    found = findings(tmp_path, lines)
    assert codes_of(found) == ["D004", "D004", "U001", "U003"]
    assert [line for code, line, _ in found if code.startswith("U")] == [line_of(lines, COMPLETED, 1)] * 2


def test_ignore_with_spaces_in_the_list(tmp_path: Path) -> None:
    lines = insert(base(), ": orvalidate: ignore[ U001 , U003 ]", COMPLETED)
    assert codes_of(findings(tmp_path, lines)) == ["D004"]


def test_ignore_d004_u001_as_in_the_readme(tmp_path: Path) -> None:
    """`ignore[D004,U001]` on the `.done` block: D004 is suppressed there; U001 fires only on the
    completed event, so that half of the comment is F016, and U001 is still reported."""
    lines = insert(base(), ": orvalidate: ignore[D004,U001]", DONE)
    comment = line_of(lines, ": orvalidate: ignore[D004,U001]")
    result = check(tmp_path, lines, "--format", "json")
    data = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["line"]) for f in data] == [
        ("F016", comment),
        ("U001", line_of(lines, COMPLETED)),
        ("U003", line_of(lines, COMPLETED)),
    ]
    f016 = data[0]
    assert f016["severity"] == "warning" and f016["column"] == 1
    assert "ignore[U001]" in f016["message"] and "this block's event" in f016["message"]


@pytest.mark.parametrize("selector", ["D", "D00", "D004", "d004", "done-text-mismatch"])
def test_ignore_by_prefix_or_name(tmp_path: Path, selector: str) -> None:
    lines = insert(base(copies=2), f": orvalidate: ignore[{selector}]", DONE, 0)
    assert codes_of(findings(tmp_path, lines)) == ["U001", "U003", "D004", "U001", "U003"]


@pytest.mark.parametrize(
    "selector", ["U", "U00", "usage-total-mismatch,reasoning-exceeds-output", "U001,reasoning-exceeds-output"]
)
def test_ignore_prefix_covers_several_codes(tmp_path: Path, selector: str) -> None:
    lines = insert(base(), f": orvalidate: ignore[{selector}]", COMPLETED)
    assert codes_of(findings(tmp_path, lines)) == ["D004"]


def test_ignore_in_a_comment_only_block_suppresses_nothing(tmp_path: Path) -> None:
    """A block of comments alone has no event: its `ignore` is F016, the next event keeps D004."""
    lines = base()
    at = line_of(lines, DONE) - 1
    lines = lines[:at] + [": orvalidate: ignore[D004]", ""] + lines[at:]
    comment = line_of(lines, ": orvalidate: ignore[D004]")
    assert lines[comment - 2] == "" and lines[comment] == ""  # a block of its own
    found = findings(tmp_path, lines)
    assert ("F016", comment, "warning") in found
    assert ("D004", line_of(lines, DONE), "warning") in found


# ------------------------------------------------------------------------------------------------
# file-ignore[...]: the whole file


def _end_block(lines: list[str], comment: str) -> list[str]:
    return [*lines, comment, ""]


@pytest.mark.parametrize("where", ["first-line", "inside-an-event-block", "own-block-in-the-middle", "end-of-file"])
def test_file_ignore_anywhere(tmp_path: Path, where: str) -> None:
    comment = ": orvalidate: file-ignore[D004]"
    lines = base(copies=2)
    if where == "first-line":
        lines = [comment, *lines]
    elif where == "inside-an-event-block":
        lines = insert(lines, comment, COMPLETED, 1, 1)
    elif where == "own-block-in-the-middle":
        at = line_of(lines, CREATED, 1) - 1
        lines = lines[:at] + [comment, ""] + lines[at:]
    else:
        lines = _end_block(lines, comment)
    assert codes_of(findings(tmp_path, lines)) == ["U001", "U003", "U001", "U003"]


def test_file_ignore_at_the_very_end_without_blank_line(tmp_path: Path) -> None:
    lines = [*base(copies=2), ": orvalidate: file-ignore[D004]"]
    path = tmp_path / "capture.sse"
    path.write_text("\n".join(lines), encoding="utf-8")  # no final newline at all
    result = CliRunner().invoke(
        main, ["--isolated", "--format", "json", str(path)], env=CLEAN_ENV, catch_exceptions=False
    )
    assert "D004" not in [f["code"] for f in json.loads(result.stdout)["findings"]]


@pytest.mark.parametrize("selector", ["U", "U00", "usage-total-mismatch, reasoning-exceeds-output", "D,U"])
def test_file_ignore_by_prefix_or_name(tmp_path: Path, selector: str) -> None:
    lines = _end_block(base(copies=2), f": orvalidate: file-ignore[{selector}]")
    expected = [] if selector == "D,U" else ["D004", "D004"]
    assert codes_of(findings(tmp_path, lines)) == expected


def test_file_ignore_also_covers_findings_without_an_event(tmp_path: Path) -> None:
    """L002 (no terminal event) belongs to the stream's end, not to an event."""
    lines = base(usage_errors=False)
    lines = lines[: line_of(lines, COMPLETED) - 1]  # drop response.completed
    assert "L002" in codes_of(findings(tmp_path, lines))
    lines = [": orvalidate: file-ignore[L002,missing-item-done]", *lines]
    assert "L002" not in codes_of(findings(tmp_path, lines))


def test_file_ignore_exit_code_follows_what_is_left(tmp_path: Path) -> None:
    lines = _end_block(base(), ": orvalidate: file-ignore[U]")
    assert check(tmp_path, lines).exit_code == 0  # only the D004 warning is left
    assert check(tmp_path, base()).exit_code == 1


# ------------------------------------------------------------------------------------------------
# F016: suppressions that suppress nothing


def test_unused_ignore_is_f016_at_the_comment(tmp_path: Path) -> None:
    lines = insert(base(), ": orvalidate: ignore[D004]", CREATED)  # nothing fires on response.created
    comment = line_of(lines, ": orvalidate: ignore[D004]")
    assert comment == 1
    found = findings(tmp_path, lines)
    assert found[0] == ("F016", 1, "warning")
    assert ("D004", line_of(lines, DONE), "warning") in found


def test_unused_file_ignore_is_f016(tmp_path: Path) -> None:
    lines = _end_block(base(), ": orvalidate: file-ignore[L002]")
    comment = len(lines) - 1
    result = check(tmp_path, lines, "--format", "json")
    data = json.loads(result.stdout)["findings"]
    f016 = [f for f in data if f["code"] == "F016"]
    assert [(f["line"], f["column"], f["severity"]) for f in f016] == [(comment, 1, "warning")]
    assert "file-ignore[L002]" in f016[0]["message"] and "this file" in f016[0]["message"]
    assert "no rule" not in f016[0]["message"]


def test_used_and_unused_selectors_in_one_comment(tmp_path: Path) -> None:
    lines = insert(base(), ": orvalidate: ignore[U001,L002,U003]", COMPLETED)
    comment = line_of(lines, ": orvalidate: ignore[U001,L002,U003]")
    result = check(tmp_path, lines, "--format", "json")
    data = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["line"]) for f in data] == [("D004", line_of(lines, DONE)), ("F016", comment)]
    assert "ignore[L002]" in data[1]["message"]


@pytest.mark.parametrize("selector", ["X999", "not-a-rule", "Z", "D9"])
@pytest.mark.parametrize("kind", ["ignore", "file-ignore"])
def test_unknown_code_is_f016(tmp_path: Path, selector: str, kind: str) -> None:
    lines = insert(base(), f": orvalidate: {kind}[{selector}]", DONE)
    comment = line_of(lines, f": orvalidate: {kind}[{selector}]")
    result = check(tmp_path, lines, "--format", "json")
    assert result.exit_code == 1  # the U001/U003 errors are still there; F016 does not crash the run
    data = json.loads(result.stdout)["findings"]
    (f016,) = [f for f in data if f["code"] == "F016"]
    assert (f016["line"], f016["severity"]) == (comment, "warning")
    assert "no rule has this code or name" in f016["message"]
    assert "D004" in [f["code"] for f in data]


def test_empty_suppression_is_f016(tmp_path: Path) -> None:
    lines = insert(base(), ": orvalidate: ignore[]", DONE)
    found = findings(tmp_path, lines)
    assert ("F016", line_of(lines, ": orvalidate: ignore[]"), "warning") in found
    assert "D004" in codes_of(found)


def test_code_that_fires_elsewhere_but_not_on_that_event_is_f016(tmp_path: Path) -> None:
    """U001 fires on both completed events; a suppression on the `.done` event covers neither."""
    lines = insert(base(copies=2), ": orvalidate: ignore[U001]", DONE, 1)
    comment = line_of(lines, ": orvalidate: ignore[U001]")
    found = findings(tmp_path, lines)
    assert ("F016", comment, "warning") in found
    assert codes_of(found).count("U001") == 2


def test_f016_alone_exits_0_and_fails_with_fail_on_warning(tmp_path: Path) -> None:
    lines = insert(base(copies=1, usage_errors=False), ": orvalidate: ignore[D004]", DONE)
    lines = insert(lines, ": orvalidate: ignore[U001]", CREATED)  # unused
    result = check(tmp_path, lines)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'capture.sse'}:1:1: F016 [warning] `orvalidate: ignore[U001]` suppresses nothing in this block's event"
    ]
    assert check(tmp_path, lines, "--fail-on", "warning").exit_code == 1


def test_f016_can_be_ignored_like_any_rule(tmp_path: Path) -> None:
    lines = insert(base(), ": orvalidate: ignore[X999]", DONE)
    assert "F016" not in codes_of(findings(tmp_path, lines, "--ignore", "F016"))
    assert "F016" not in codes_of(findings(tmp_path, lines, "--ignore", "unused-suppression"))


def test_suppression_text_is_a_comment_not_a_field(tmp_path: Path) -> None:
    """Without the leading colon it is an unknown SSE field (F004), and suppresses nothing."""
    lines = insert(base(), "orvalidate: ignore[D004]", DONE)
    found = codes_of(findings(tmp_path, lines))
    assert "F004" in found and "D004" in found


# ------------------------------------------------------------------------------------------------
# standard input (findings printed as soon as known)


def test_file_ignore_at_end_of_stdin(tmp_path: Path) -> None:
    """Live output cannot take back what it printed: it says so, and the verdict honours the
    suppression (a file read from disk prints nothing: test_file_ignore_anywhere)."""
    lines = _end_block(base(copies=2), ": orvalidate: file-ignore[U,D004]")
    data = ("\n".join(lines) + "\n").encode()
    result = CliRunner().invoke(main, ["--isolated", "-"], input=data, env=CLEAN_ENV, catch_exceptions=False)
    assert result.exit_code == 0
    printed = result.stdout.splitlines()
    assert printed and all(" D004 " in line or " U00" in line for line in printed)
    assert result.stderr == (
        f"orvalidate: {len(printed)} findings printed above were then suppressed by a `file-ignore` "
        "read later in the stream\n0 errors, 0 warnings in 1 file (2 streams, 28 events)\n"
    )


def test_file_ignore_at_end_of_stdin_json(tmp_path: Path) -> None:
    lines = _end_block(base(copies=2), ": orvalidate: file-ignore[U,D004]")
    data = ("\n".join(lines) + "\n").encode()
    result = CliRunner().invoke(
        main, ["--isolated", "--format", "json", "-"], input=data, env=CLEAN_ENV, catch_exceptions=False
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []
