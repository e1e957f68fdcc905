"""`--format junit`: a testsuite per file, a testcase per stream, a failure per finding."""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from ..model import Report
from .text import escape


def write(report: Report, out: TextIO) -> None:
    root = ET.Element("testsuites", name="orvalidate")
    total = failures = 0
    for file in report.files:
        cases: dict[int, list] = {s.index: [] for s in file.streams} or {0: []}
        for f in file.findings:
            cases.setdefault(f.stream if f.stream in cases else min(cases), []).append(f)
        suite = ET.SubElement(root, "testsuite", name=escape(file.path), tests=str(len(cases)),
                              failures=str(len(file.findings)), errors="0", skipped="0")
        for index, found in sorted(cases.items()):
            case = ET.SubElement(suite, "testcase", name=f"stream {index}", classname=escape(file.path))
            for f in found:
                failure = ET.SubElement(case, "failure", type=f.code, message=escape(f"{f.code} {f.message}"))
                failure.text = escape(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}")
        total += len(cases)
        failures += len(file.findings)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
