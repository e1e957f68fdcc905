"""How a rule declares itself: a generator registered for one code, run per event or at the end.

The rule's docstring is its user documentation (`orvalidate rule CODE` prints it).
"""

from __future__ import annotations

from typing import Callable, Iterator

from ..model import Event, EventRef, Problem
from ..state import StreamState

EventCheck = Callable[[Event, EventRef, StreamState], Iterator[Problem]]
CloseCheck = Callable[[StreamState], Iterator[Problem]]

EVENT_CHECKS: list[EventCheck] = []
CLOSE_CHECKS: list[CloseCheck] = []
DOCS: dict[str, Callable] = {}


def on_event(*codes: str) -> Callable[[EventCheck], EventCheck]:
    """Register a check that sees every event, with the state as it was before that event."""

    def register(check: EventCheck) -> EventCheck:
        EVENT_CHECKS.append(check)
        for code in codes:
            DOCS.setdefault(code, check)
        return check

    return register


def on_close(*codes: str) -> Callable[[CloseCheck], CloseCheck]:
    """Register a check that runs once when the stream ends."""

    def register(check: CloseCheck) -> CloseCheck:
        CLOSE_CHECKS.append(check)
        for code in codes:
            DOCS.setdefault(code, check)
        return check

    return register
