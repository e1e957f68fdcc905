"""`--format json`: the versioned report of api.Report.to_dict, one document."""

from __future__ import annotations

import json
from typing import TextIO

from ..api import Report


def write(report: Report, out: TextIO) -> None:
    json.dump(report.to_dict(), out, indent=2, ensure_ascii=False)
    out.write("\n")
