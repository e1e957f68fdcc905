"""`--format sarif`: SARIF 2.1.0 for code scanning, with every rule of codes.py in the driver.

No timestamps or absolute paths: the same input gives the same document.
"""

from __future__ import annotations

import json
import os
from typing import TextIO

from .. import __version__, codes
from ..model import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/orvalidate/"


def help_uri(code: str) -> str:
    """Where a rule is documented: the rule table of the README (`orvalidate rule CODE` too)."""
    return f"{INFORMATION_URI}#rules"


def relative_uri(path: str) -> str:
    """The path as a relative URI with forward slashes (relative to the current directory when
    it lies below it)."""
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:
            relative = path
        if not relative.startswith(".."):
            path = relative
    path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def document(report: Report) -> dict:
    rules = list(codes.RULES.values())
    index = {rule.code: i for i, rule in enumerate(rules)}
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
                                    "artifactLocation": {"uri": relative_uri(f.path)},
                                    "region": {"startLine": f.line, "startColumn": f.column},
                                }
                            }
                        ],
                    }
                    for f in report.findings
                ],
            }
        ],
    }


def write(report: Report, out: TextIO) -> None:
    json.dump(document(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
