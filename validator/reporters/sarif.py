"""`--format sarif`: SARIF 2.1.0 for code scanning, with every rule of codes.py in the driver.

What GitHub's code scanning requires and reads: each rule's `help.text` and
`fullDescription.text`, each result's `partialFingerprints` (so a finding keeps its alert
when lines move), and artifact URIs relative to the checkout (`%SRCROOT%`), percent-encoded.
No timestamps, and no absolute paths for files inside the repository: the same input gives
the same document.
"""

from __future__ import annotations

import json
import os
from typing import TextIO
from urllib.parse import quote

from .. import __version__, codes
from ..model import PROFILES, Finding, Report
from .identity import STDIN, STDIN_NAME, fingerprints, repository_path, repository_root

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/orvalidate/"
SRCROOT = "%SRCROOT%"  # the checkout's root: what code scanning resolves relative URIs against
FINGERPRINT = "orvalidateFinding/v1"  # see identity.py: path, code, stream, the event's identity


def help_uri(code: str) -> str:
    """Where a rule is documented: the rule table of the README (`orvalidate rule CODE` too)."""
    return f"{INFORMATION_URI}#rules"


def full_description(code: str) -> str:
    rule = codes.RULES[code]
    levels = ", ".join(f"{profile} {rule.severity[profile] or 'off'}" for profile in PROFILES)
    return f"{rule.summary} Severity by profile: {levels}."


def artifact_location(path: str, root: str) -> dict:
    """A URI reference per RFC 3986: relative to the repository root (`%SRCROOT%`) and
    percent-encoded; a file outside the root as an absolute `file:` URI; standard input read
    without --stdin-filename under a pseudo-name that names no file."""
    if path == STDIN:
        return {"uri": quote(STDIN_NAME), "description": {"text": "standard input (name it with --stdin-filename)"}}
    relative = repository_path(path, root)
    if relative is None:
        return {"uri": "file://" + quote(os.path.abspath(path).replace(os.sep, "/"), errors="surrogateescape")}
    return {"uri": quote(relative, errors="surrogateescape"), "uriBaseId": SRCROOT}


def block_ends(path: str, starts: set[int]) -> dict[int, tuple[int, int]]:
    """For each line that starts an SSE event block, where the block ends: (its last line, the
    column after that line's last character), read again from the file. Lines end at CR, LF or
    CRLF, as the reader splits them; columns count characters, as the reader's do."""
    ends: dict[int, tuple[int, int]] = {}
    if not starts:
        return ends
    open_at: int | None = None
    last = (0, 0)
    try:
        with open(path, encoding="utf-8", errors="replace", newline=None) as capture:
            for number, line in enumerate(capture, 1):
                text = line.rstrip("\n").removeprefix("\ufeff") if number == 1 else line.rstrip("\n")
                if open_at is not None and not text:
                    ends[open_at] = last
                    open_at = None
                if number in starts:
                    open_at = number
                if open_at is not None:
                    last = (number, len(text) + 1)
    except OSError:
        return {}
    if open_at is not None:
        ends[open_at] = last
    return ends


def region(finding: Finding, ends: dict[int, tuple[int, int]]) -> dict:
    """Where a finding is. A finding placed at the start of an SSE event covers the event's
    block, `event:` to its last `data:` line; a JSONL event is its line, which a region with
    no end already means; a finding inside a line (a JSON syntax error) is a point whose end
    is not known, so the region runs to the end of that line."""
    place = {"startLine": finding.line, "startColumn": finding.column}
    end = ends.get(finding.line) if finding.column == 1 and finding.event_index is not None else None
    if end is not None:
        place["endLine"], place["endColumn"] = end
    return place


def _ends(report: Report, findings: list[Finding]) -> dict[str, dict[int, tuple[int, int]]]:
    starts: dict[str, set[int]] = {}
    for f in findings:
        if f.column == 1 and f.event_index is not None:
            starts.setdefault(f.path, set()).add(f.line)
    sse = {file.path for file in report.files if file.format == "sse" and file.path != STDIN}
    return {path: block_ends(path, lines) for path, lines in starts.items() if path in sse}


def document(report: Report) -> dict:
    rules = list(codes.RULES.values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    root = repository_root()
    findings = report.findings
    ends = _ends(report, findings)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "orvalidate",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": full_description(rule.code)},
                                "help": {"text": codes.documentation(rule.code)},
                                "helpUri": help_uri(rule.code),
                                "defaultConfiguration": {"level": rule.strongest},
                            }
                            for rule in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",  # columns count characters, as in every format
                "results": [
                    {
                        "ruleId": f.code,
                        "ruleIndex": index[f.code],
                        "level": f.severity,
                        "message": {"text": f.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": artifact_location(f.path, root),
                                    "region": region(f, ends.get(f.path, {})),
                                }
                            }
                        ],
                        "partialFingerprints": {FINGERPRINT: fingerprint},
                    }
                    for f, fingerprint in zip(findings, fingerprints(findings, root))
                ],
            }
        ],
    }


def write(report: Report, out: TextIO) -> None:
    json.dump(document(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
