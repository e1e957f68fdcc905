"""`--format gitlab`: a GitLab Code Quality report (a JSON array of issues).

Each fingerprint is the finding's identity (identity.py: path, code, stream, and the event's
index, sequence number, type and JSON path; not its line or message), so the merge-request
widget keeps a finding as the same one when lines are added above it.
"""

from __future__ import annotations

import json
from typing import TextIO

from ..model import Report
from .identity import display_path, fingerprints, repository_root

_SEVERITY = {"error": "major", "warning": "minor"}


def write(report: Report, out: TextIO) -> None:
    root = repository_root()
    findings = report.findings
    issues = [
        {
            "description": f"{f.code} {f.message}",
            "check_name": f"{f.code} {f.name}",
            "fingerprint": fingerprint,
            "severity": _SEVERITY[f.severity],
            "location": {"path": display_path(f.path, root), "lines": {"begin": f.line}},
        }
        for f, fingerprint in zip(findings, fingerprints(findings, root))
    ]
    json.dump(issues, out, indent=2, ensure_ascii=False)
    out.write("\n")
