"""Suppression comments inside an SSE capture, and F016 for those that suppress nothing.

`: orvalidate: ignore[D004,U001]` in a block suppresses those codes for that block's event;
`: orvalidate: file-ignore[...]` anywhere suppresses them for the whole file. A selector is a
code (`D004`), a prefix (`D`, `U00`) or a name (`done-text-mismatch`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from . import codes
from .config import selects
from .model import Finding, Span
from .helpers import short

_DIRECTIVE = re.compile(r"^\s*orvalidate:\s*(ignore|file-ignore)\[([^\]]*)\]\s*$")


class Directive(NamedTuple):
    kind: str  # "ignore" or "file-ignore"
    selectors: tuple[str, ...]
    span: Span
    used: set  # the selectors that suppressed something


def parse(text: str, span: Span) -> Directive | None:
    """The directive a comment holds, if it is one."""
    found = _DIRECTIVE.match(text)
    if found is None:
        return None
    selectors = tuple(s.strip() for s in found.group(2).split(",") if s.strip())
    return Directive(found.group(1), selectors, span, set())


class Suppressions:
    """The directives of one file, and which of them suppressed something."""

    def __init__(self) -> None:
        self.by_event: dict[tuple[int, int], list[Directive]] = {}
        self.file: list[Directive] = []
        self.all: list[Directive] = []

    def note(self, comments: tuple[tuple[Span, str], ...], event: tuple[int, int] | None) -> None:
        """Record the directives among a block's comments; `event` is (stream, index) or None."""
        for span, text in comments:
            directive = parse(text, span)
            if directive is None:
                continue
            self.all.append(directive)
            if directive.kind == "file-ignore":
                self.file.append(directive)
            elif event is not None:
                self.by_event.setdefault(event, []).append(directive)

    def allows(self, finding: Finding) -> bool:
        """False when a directive suppresses this finding (and that directive is then used)."""
        directives = self.file
        if finding.event_index is not None and finding.stream is not None:
            directives = self.by_event.get((finding.stream, finding.event_index), []) + self.file
        for directive in directives:
            for selector in directive.selectors:
                if selects(selector, finding.code):
                    directive.used.add(selector)
                    return False
        return True

    def unused(self, path: str, level: str | None = "warning") -> list[Finding]:
        """F016, at `level` (None: not reported), for every selector that suppressed nothing."""
        found: list[Finding] = []
        if level is None:
            return found
        for directive in self.all:
            idle = [s for s in directive.selectors if s not in directive.used]
            if not directive.selectors:
                idle = ["(none)"]
            for selector in idle:
                what = "" if _known(selector) else " (no rule has this code or name)"
                where = "this block's event" if directive.kind == "ignore" else "this file"
                found.append(
                    Finding(
                        path,
                        directive.span.line,
                        directive.span.column,
                        "F016",
                        codes.RULES["F016"].name,
                        level,
                        f"`orvalidate: {directive.kind}[{short(selector)}]` suppresses nothing in {where}{what}",
                    )
                )
        return found


def _known(selector: str) -> bool:
    return any(selects(selector, code) for code in codes.RULES)


CODE_DOCS: dict[str, str] = {  # what the codes reported here mean: `orvalidate rule CODE` prints it
    "F016": """F016 unused-suppression (warning under every profile).

A suppression comment in an SSE capture (`: orvalidate: ignore[D004]` for its block's event,
`: orvalidate: file-ignore[D004]` for the whole file) whose selector suppressed nothing, or
names no rule: it is stale, or hides nothing it was meant to. One finding per idle selector.

Fails:  : orvalidate: ignore[D004]   (in a block whose event has no D004)
Passes: : orvalidate: ignore[D004]   (in the block of the `.done` whose text differs)""",
}
