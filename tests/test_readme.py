"""README.md stays true: its rule table is codes.py, its commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from orvalidate import codes
from orvalidate.model import PROFILES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_codes():
    rows = re.findall(r"^\| ([A-Z]\d{3}) \| ([a-z0-9-]+) \| (\w+) \| (\w+) \| (\w+) \| (.*) \|$", README, re.M)
    table = {code: (name, severities, summary) for code, name, *severities, summary in rows}
    assert list(table) == list(codes.RULES)
    for code, rule in codes.RULES.items():
        name, severities, summary = table[code]
        assert name == rule.name
        assert severities == [rule.severity[p] or "off" for p in PROFILES]
        assert summary == rule.summary


def test_readme_commands_name_real_files():
    command = re.search(r"pip install \. && orvalidate (\S+)", README)
    assert command and (ROOT / command.group(1)).is_file()
    assert "pip install -e '.[test]' && pytest" in README
    assert "pytest" in (ROOT / ".ci" / "run").read_text()
