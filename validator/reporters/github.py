"""`--format github`: GitHub Actions workflow commands, one `::error`/`::warning` per finding.

Escaped as the Actions toolkit does (`%`, CR and LF in the message; also `:` and `,` in
property values), after control characters from the capture are made visible, so a capture
can neither break a line nor forge another workflow command.
"""

from __future__ import annotations

from typing import TextIO

from ..model import Report
from .text import escape


def escape_data(text: str) -> str:
    return escape(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write(report: Report, out: TextIO) -> None:
    for f in report.findings:
        title = escape_property(f"{f.code} {f.name}")
        out.write(
            f"::{f.severity} file={escape_property(f.path)},line={f.line},col={f.column},title={title}::"
            f"{escape_data(f.message)}\n"
        )
