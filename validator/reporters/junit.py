"""`--format junit`: a testsuite per file, a testcase per stream, one failure per testcase
that has findings, listing them all in its text.

Counts are of testcases, as Jenkins and junitparser read them: `failures` is the number of
failed testcases, never of findings. `classname` is the file's path as dotted names without
its extension (`fixtures/invalid/D004-x.sse` -> `fixtures.invalid.D004-x`): Jenkins splits a
classname at its last dot into package and class, so dots inside a name become `_`.
"""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from ..model import Finding, Report
from .text import escape


def classname(path: str) -> str:
    """`sub dir/a.b.sse` -> `sub dir.a_b`: folders as packages, the file's stem as the class."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")] or [path]
    stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1].lstrip(".") else parts[-1]
    return ".".join([*(p.replace(".", "_") for p in parts[:-1]), stem.replace(".", "_") or "_"])


def _failure(case: ET.Element, found: list[Finding]) -> None:
    """`2 errors, 1 warning: D004, U001`, and the findings one a line in the text."""
    codes = sorted({f.code for f in found})
    counts = {level: sum(1 for f in found if f.severity == level) for level in ("error", "warning")}
    counted = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items() if n)
    failure = ET.SubElement(case, "failure", type=",".join(codes), message=f"{counted}: {', '.join(codes)}")
    failure.text = "\n".join(
        escape(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}") for f in found
    )


def write(report: Report, out: TextIO) -> None:
    root = ET.Element("testsuites", name="orvalidate")
    total = failed = 0
    for file in report.files:
        cases: dict[int, list[Finding]] = {s.index: [] for s in file.streams} or {0: []}
        for f in file.findings:
            cases.setdefault(f.stream if f.stream in cases else min(cases), []).append(f)
        file_failed = sum(1 for found in cases.values() if found)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=escape(file.path),
            tests=str(len(cases)),
            failures=str(file_failed),
            errors="0",
            skipped="0",
        )
        for index, found in sorted(cases.items()):
            case = ET.SubElement(suite, "testcase", name=f"stream {index}", classname=escape(classname(file.path)))
            if found:
                _failure(case, found)
        total += len(cases)
        failed += file_failed
    root.set("tests", str(total))
    root.set("failures", str(failed))
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
