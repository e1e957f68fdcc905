"""Coverage-guided fuzzing of reader -> payload -> engine -> rules -> reporters (atheris).

    pip install atheris
    python fuzz/fuzz_reader_engine.py /tmp/fuzz-corpus fuzz/corpus -dict=fuzz/fuzz.dict \
        -max_total_time=1800 -timeout=20 -rss_limit_mb=4096 -artifact_prefix=fuzz/crashes/

The first byte of each input picks the options, the rest is the capture:

    bits 0-1  input format: 0 sse, 1 jsonl, 2 none (sniffed from the bytes; path has no
              extension), 3 none with a `.ndjson` path
    bits 2-3  profile: auto, openrouter, openai, open-responses
    bit  4    --strict
    bit  5    --starting-after 3 (a resumed stream)

Every input goes through `check_stream` (fully consumed) and then through every reporter into
an in-memory UTF-8 sink (errors="backslashreplace", as the CLI writes). The library promises
findings, never exceptions, so any exception is a crash. A few cheap invariants are asserted
too: the stream of items ends with exactly one FileReport, and every finding is well formed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback

try:
    import atheris
except ImportError:  # tests/test_fuzz_regressions.py reuses `check` without atheris
    atheris = None

with atheris.instrument_imports() if atheris is not None else contextlib.nullcontext():
    from orvalidate import codes, schemas  # noqa: F401  (schemas loads lazily: instrument it too)
    from orvalidate.api import FileReport, Report, check_stream
    from orvalidate.model import Finding
    from orvalidate.reporters import REPORTERS

# Bugs already reported and saved under fuzz/crashes/, as (exception type, words of its message,
# file of the innermost frame). With FUZZ_IGNORE_KNOWN=1 an input that raises one of these is
# not a crash, so a long run goes on to find the next bug; without it, everything is a crash.
# Fixed in 2982868 (and so no longer listed): TypeError unhashable in state.py (fuzz/crashes/
# unhashable-*), UnicodeEncodeError from jsonschema-rs in schemas.py (surrogate-key-in-part*).
KNOWN: list[tuple[type, str, str]] = []
IGNORE_KNOWN = os.environ.get("FUZZ_IGNORE_KNOWN") == "1"

FORMATS = ("sse", "jsonl", None, None)
PATHS = ("fuzz.sse", "fuzz.jsonl", "fuzz", "fuzz.ndjson")
PROFILES = ("auto", "openrouter", "openai", "open-responses")


def options(first: int) -> dict:
    return dict(
        path=PATHS[first & 3],
        input_format=FORMATS[first & 3],
        profile=PROFILES[(first >> 2) & 3],
        strict=bool(first & 16),
        starting_after=3 if first & 32 else None,
    )


def check(data: bytes) -> Report:
    """The whole library path for one capture; raises on any broken promise."""
    if not data:
        return Report()
    opts = options(data[0])
    path = opts.pop("path")
    items = list(check_stream(io.BytesIO(data[1:]), path, **opts))
    assert items and isinstance(items[-1], FileReport), "check_stream must end with a FileReport"
    assert not any(isinstance(i, FileReport) for i in items[:-1]), "one FileReport only"
    report = items[-1]
    for finding in report.findings:
        assert isinstance(finding, Finding)
        assert finding.code in codes.RULES, finding
        assert finding.severity in ("error", "warning"), finding
        assert finding.line >= 1 and finding.column >= 1, finding
    return Report([report])


def known(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    where = os.path.basename(frames[-1].filename) if frames else ""
    return any(isinstance(exc, kind) and words in str(exc) and where == file for kind, words, file in KNOWN)


def TestOneInput(data: bytes) -> None:
    try:
        report = check(data)
    except Exception as exc:
        if IGNORE_KNOWN and known(exc):
            return
        raise
    for name, write in REPORTERS.items():
        sink = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", newline="")
        write(report, sink)
        sink.flush()
        if name in ("json", "sarif", "gitlab"):
            json.loads(sink.buffer.getvalue().decode("utf-8"))  # type: ignore[attr-defined]


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
