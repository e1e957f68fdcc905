"""`--format gitlab`: a GitLab Code Quality report (a JSON array of issues).

Each fingerprint is a hash of path, code, place and message, plus a counter for exact
repeats, so it is unique within the report and stable across runs.
"""

from __future__ import annotations

import hashlib
import json
from typing import TextIO

from ..model import Report
from .sarif import relative_uri

_SEVERITY = {"error": "major", "warning": "minor"}


def write(report: Report, out: TextIO) -> None:
    seen: dict[str, int] = {}
    issues = []
    for f in report.findings:
        key = "\0".join(map(str, (relative_uri(f.path), f.code, f.line, f.column, f.message)))
        seen[key] = seen.get(key, 0) + 1
        fingerprint = hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8", "surrogatepass")).hexdigest()
        issues.append(
            {
                "description": f"{f.code} {f.message}",
                "check_name": f"{f.code} {f.name}",
                "fingerprint": fingerprint,
                "severity": _SEVERITY[f.severity],
                "location": {"path": relative_uri(f.path), "lines": {"begin": f.line}},
            }
        )
    json.dump(issues, out, indent=2, ensure_ascii=False)
    out.write("\n")
