"""Every rule code is documented: `orvalidate rule CODE` shows what fires it with examples."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from orvalidate import codes
from orvalidate.cli import main


@pytest.mark.parametrize("code", list(codes.RULES))
def test_rule_documentation(code: str) -> None:
    result = CliRunner().invoke(main, ["rule", code])
    assert result.exit_code == 0
    rule = codes.RULES[code]
    assert result.stdout.startswith(f"{code} {rule.name}\n")
    assert "severity: openrouter" in result.stdout
    assert "Fails" in result.stdout and "Passes" in result.stdout


def test_rule_by_name_and_unknown_rule() -> None:
    assert CliRunner().invoke(main, ["rule", "done-text-mismatch"]).stdout.startswith("D004 done-text-mismatch")
    result = CliRunner().invoke(main, ["rule", "Z999"])
    assert result.exit_code == 2 and "unknown rule" in result.stderr
