"""Where a finding's file is, relative to the repository, and what identifies the finding
across runs: what GitLab's fingerprint and SARIF's partialFingerprints are made of.

A finding about an event is identified by its path, code and stream and by the event's
identity (its index in the stream, its sequence number, its type) and the JSON path inside it;
not by its line, column or message. Adding or removing lines, comments or keep-alives around
the event, re-framing it (CRLF, `event:` lines) or rewording a message leaves it the same
finding; inserting or removing an event before it in its stream makes a new one. A finding
about no event (a stray line, an empty capture) has only its message and code to go by.
"""

from __future__ import annotations

import hashlib
import os
from typing import Iterable

from ..model import Finding

STDIN = "-"
STDIN_NAME = "<stdin>"  # the pseudo-name of standard input read without --stdin-filename


def repository_root(start: str | None = None) -> str:
    """The nearest folder from `start` (the current directory) upward that holds `.git`, else
    `start` itself: CI runs from the checkout, but a user may run from a subfolder."""
    here = os.path.abspath(start or os.getcwd())
    folder = here
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return here
        folder = parent


def repository_path(path: str, root: str) -> str | None:
    """The path relative to the repository root with `/` separators, or None when it lies
    outside the root (or is standard input)."""
    if path == STDIN:
        return None
    try:
        relative = os.path.relpath(os.path.abspath(path), root)
    except ValueError:  # another drive
        return None
    if relative == ".." or relative.startswith(".." + os.sep):
        return None
    return relative.replace(os.sep, "/")


def display_path(path: str, root: str) -> str:
    """The path as a report names it: relative to the root, else absolute; stdin by name."""
    if path == STDIN:
        return STDIN_NAME
    return repository_path(path, root) or os.path.abspath(path).replace(os.sep, "/")


def _identity(finding: Finding, path: str) -> tuple:
    if finding.event_index is not None:
        return (
            path,
            finding.code,
            finding.stream,
            finding.event_index,
            finding.sequence_number,
            finding.event_type,
            finding.json_path,
        )
    return (path, finding.code, finding.stream, finding.message)


def fingerprints(findings: Iterable[Finding], root: str) -> list[str]:
    """A SHA-256 hex digest per finding, in order: its identity, plus a count when the same
    identity comes again (two findings of one code on one event and JSON path), so each is
    unique within the report and the same on the next run."""
    seen: dict[tuple, int] = {}
    digests = []
    for finding in findings:
        identity = _identity(finding, display_path(finding.path, root))
        seen[identity] = seen.get(identity, 0) + 1
        text = "\0".join(map(str, (*identity, seen[identity])))
        digests.append(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    return digests
