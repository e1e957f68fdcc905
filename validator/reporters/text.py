"""`--format text`: `path:line:col: CODE [severity] message`, one finding a line.

Text taken from a capture can hold control characters; they are escaped so a capture cannot
paint the terminal or start a new line that looks like another finding.
"""

from __future__ import annotations

import re
from typing import Collection, TextIO

from ..model import Finding, Report

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _visible(match: re.Match) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def escape(text: str) -> str:
    """Control characters (and lone surrogates) as visible escapes: `\\n`, `\\x1b`, `\\ud800`."""
    return _CONTROL.sub(_visible, text)


_COLOR = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m"}
_RESET = "\x1b[0m"


def line(finding: Finding, color: bool = False) -> str:
    code = f"{_COLOR[finding.severity]}{finding.code}{_RESET}" if color else finding.code
    return (
        f"{escape(finding.path)}:{finding.line}:{finding.column}: {code} [{finding.severity}] {escape(finding.message)}"
    )


def statistics(report: Report) -> str:
    """A count per code, most frequent first (`--statistics`)."""
    counts: dict[tuple[str, str], int] = {}
    for f in report.findings:
        counts[(f.code, f.name)] = counts.get((f.code, f.name), 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{count:>6}  {code}  {name}\n" for (code, name), count in ordered)


def summary(report: Report) -> str:
    data = report.summary()
    files = data["files"]
    return (
        f"{data['errors']} error{'s' if data['errors'] != 1 else ''}, "
        f"{data['warnings']} warning{'s' if data['warnings'] != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''} ({data['streams']} streams, {data['events']} events)"
    )


def write(report: Report, out: TextIO, color: bool = False, skip: Collection[str] = ()) -> None:
    """One line a finding, coloured by severity with `color`; the findings of the paths in
    `skip` were printed as they arose (a capture read from `-`) and are not printed again."""
    for finding in report.findings:
        if finding.path not in skip:
            out.write(line(finding, color) + "\n")
