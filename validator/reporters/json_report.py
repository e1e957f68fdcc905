"""`--format json`: the versioned report of model.Report.to_dict, one document."""

from __future__ import annotations

import json
from typing import TextIO

import orjson

from ..model import Report


def write(report: Report, out: TextIO) -> None:
    """orjson writes the same document as `json.dump(indent=2, ensure_ascii=False)` at a
    fraction of the cost (the standard library's indenting encoder is pure Python); what
    orjson refuses (an unpaired surrogate from a capture, an integer past 64 bits) goes
    through the standard library, and the output stream escapes the surrogate."""
    document = report.to_dict()
    try:
        out.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    except orjson.JSONEncodeError:
        json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
