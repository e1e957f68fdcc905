"""A progress line only for a person at a terminal checking many files."""

from __future__ import annotations

import sys

import pytest

from orvalidate import cli


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "PRE_COMMIT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    return monkeypatch


def test_progress_on_a_terminal_with_many_files(terminal: pytest.MonkeyPatch) -> None:
    assert cli._show_progress(quiet=False, count=300)


@pytest.mark.parametrize("variable", ["CI", "GITHUB_ACTIONS", "GITLAB_CI", "PRE_COMMIT"])
def test_no_progress_in_ci_or_pre_commit(terminal: pytest.MonkeyPatch, variable: str) -> None:
    terminal.setenv(variable, "1")
    assert not cli._show_progress(quiet=False, count=300)


def test_no_progress_when_quiet_few_files_or_no_terminal(terminal: pytest.MonkeyPatch) -> None:
    assert not cli._show_progress(quiet=True, count=300)
    assert not cli._show_progress(quiet=False, count=3)
    terminal.setattr(sys.stderr, "isatty", lambda: False)
    assert not cli._show_progress(quiet=False, count=300)
