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
from ..api import Report
from ..model import PROFILES
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


def document(report: Report) -> dict:
    rules = list(codes.RULES.values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    root = repository_root()
    findings = report.findings
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
                                    "region": {"startLine": f.line, "startColumn": f.column},
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
