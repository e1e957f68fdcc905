"""`--format json`: the versioned report of model.Report.to_dict, one document.

A run over a great many captures (a day of a gateway's streams on a cluster) cannot hold every
file's verdict until the end: `Spooled` takes them as they come, writes each file's entry and
its findings to temporary files, keeps the summary as counts, and puts the same document
together at the end, byte for byte, so the command's memory does not grow with the files.
"""

from __future__ import annotations

import json
import pickle
import shutil
import tempfile
from typing import Any, BinaryIO, Iterator, TextIO

import orjson

from ..model import SUMMARY_KEYS, FileReport, Report, file_counts, file_entry, finding_entry


def write(report: Report | Spooled, out: TextIO) -> None:
    """The whole document. orjson writes the same text as `json.dump(indent=2,
    ensure_ascii=False)` at a fraction of the cost (the standard library's indenting encoder
    is pure Python); what orjson refuses (an unpaired surrogate from a capture, an integer
    past 64 bits) goes through the standard library, and the output stream escapes the
    surrogate."""
    if isinstance(report, Spooled):
        report.write(out)
        return
    out.write(_dumps(report.to_dict()))
    out.write("\n")


def _dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, indent=2, ensure_ascii=False)


def _element(value: Any) -> str:
    """`value` as an element of one of the document's top-level arrays: indented as there."""
    return "    " + _dumps(value).replace("\n", "\n    ")


class Spooled:
    """A run's JSON report, spooled to temporary files as the files come (see the module)."""

    def __init__(self) -> None:
        # Surrogates from a capture pass through the spool as they are, for the output stream to escape.
        self._entries: TextIO = tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogatepass")
        self._findings: BinaryIO = tempfile.TemporaryFile()  # a pickled run of (key, element) a file
        self._runs = 0
        self._last: tuple | None = None  # the sort key of the last finding spooled
        self._in_order = True  # each file's findings sort after the previous file's
        self.counts = dict.fromkeys(SUMMARY_KEYS, 0)

    def add(self, file: FileReport) -> None:
        """One more file's verdict: spooled, and counted into the summary."""
        if self.counts["files"]:
            self._entries.write(",\n")
        self._entries.write(_element(file_entry(file)))
        for key, count in file_counts(file).items():
            self.counts[key] += count
        if not file.findings:
            return
        run = sorted(((f.sort_key(), f) for f in file.findings), key=lambda pair: pair[0])
        if self._last is not None and run[0][0] < self._last:
            self._in_order = False  # files given out of order: the findings are sorted together at the end
        self._last = run[-1][0]
        pickle.dump([(key, _element(finding_entry(f))) for key, f in run], self._findings, pickle.HIGHEST_PROTOCOL)
        self._runs += 1

    def summary(self) -> dict:
        """Counts of files, streams, events, errors and warnings, as Report.summary."""
        return dict(self.counts)

    def write(self, out: TextIO) -> None:
        """The document, as `write(Report)` would give it for the same files."""
        out.write('{\n  "version": 1,\n  "files": ')
        if self.counts["files"]:
            out.write("[\n")
            self._entries.seek(0)
            shutil.copyfileobj(self._entries, out)
            out.write("\n  ]")
        else:
            out.write("[]")
        out.write(',\n  "findings": ')
        if self._runs:
            out.write("[\n")
            findings = self._spooled()
            if not self._in_order:  # the one case that holds them all: captures named out of order
                findings = iter(sorted(findings, key=lambda pair: pair[0]))
            out.write(next(findings)[1])
            for _, element in findings:
                out.write(",\n")
                out.write(element)
            out.write("\n  ]")
        else:
            out.write("[]")
        out.write(',\n  "summary": ' + _dumps(self.summary()).replace("\n", "\n  ") + "\n}\n")

    def close(self) -> None:
        """Remove the temporary files."""
        self._entries.close()
        self._findings.close()

    def _spooled(self) -> Iterator[tuple[tuple, str]]:
        """The spooled findings, (sort key, element), in the order spooled."""
        self._findings.seek(0)
        for _ in range(self._runs):
            yield from pickle.load(self._findings)
