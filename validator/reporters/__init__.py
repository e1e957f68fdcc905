"""Reporters: a name -> reporter table. A reporter writes a whole Report to a text stream."""

from __future__ import annotations

from typing import Callable, TextIO

from ..api import Report
from . import github, gitlab, json_report, junit, sarif, text

Reporter = Callable[[Report, TextIO], None]

REPORTERS: dict[str, Reporter] = {
    "text": text.write,
    "json": json_report.write,
    "github": github.write,
    "sarif": sarif.write,
    "junit": junit.write,
    "gitlab": gitlab.write,
}
