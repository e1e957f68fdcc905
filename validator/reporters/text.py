"""`--format text`: `path:line:col: CODE [severity] message`, one finding a line.

Text taken from a capture can hold control characters; they are escaped so a capture cannot
paint the terminal or start a new line that looks like another finding.
"""

from __future__ import annotations

import re
from typing import TextIO

from ..api import Report
from ..model import Finding

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape(text: str) -> str:
    """Control characters as visible escapes (`\\n`, `\\x1b`)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if m.group() not in "\u2028\u2029" else f"\\u{ord(m.group()):04x}", text)


def line(finding: Finding) -> str:
    return f"{escape(finding.path)}:{finding.line}:{finding.column}: {finding.code} [{finding.severity}] {escape(finding.message)}"


def summary(report: Report) -> str:
    data = report.to_dict()["summary"]
    files = data["files"]
    return (
        f"{data['errors']} error{'s' if data['errors'] != 1 else ''}, "
        f"{data['warnings']} warning{'s' if data['warnings'] != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''} ({data['streams']} streams, {data['events']} events)"
    )


def write(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        out.write(line(finding) + "\n")
