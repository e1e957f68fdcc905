"""How a rule declares itself: a generator registered for one code, run per event or at the end.

The rule's docstring is its user documentation (`orvalidate rule CODE` prints it).
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from ..model import Event, EventRef, Problem
from ..protocol import remember
from ..state import StreamState

EventCheck = Callable[[Event, EventRef, StreamState], Iterator[Problem]]
CloseCheck = Callable[[StreamState], Iterator[Problem]]

EVENT_CHECKS: list[EventCheck] = []
CLOSE_CHECKS: list[CloseCheck] = []
DOCS: dict[str, Callable] = {}


_BY_TYPE: dict[str | None, tuple[EventCheck, ...]] = {}


def on_event(*codes: str, types: Iterable[str] | None = None) -> Callable[[EventCheck], EventCheck]:
    """Register a check that sees events (of `types` only, when given), with the state as it
    was before that event. Declaring types keeps a check off the hot path of text deltas."""

    def register(check: EventCheck) -> EventCheck:
        check.types = frozenset(types) if types is not None else None  # type: ignore[attr-defined]
        EVENT_CHECKS.append(check)
        _BY_TYPE.clear()
        for code in codes:
            DOCS.setdefault(code, check)
        return check

    return register


def checks_for(event_type: str | None) -> tuple[EventCheck, ...]:
    """The checks that want events of this type, in registration order (cached per type)."""
    found = _BY_TYPE.get(event_type)
    if found is None:
        wanted = tuple(c for c in EVENT_CHECKS if c.types is None or event_type in c.types)  # type: ignore[attr-defined]
        found = remember(_BY_TYPE, event_type, wanted)
    return found


def on_close(*codes: str) -> Callable[[CloseCheck], CloseCheck]:
    """Register a check that runs once when the stream ends."""

    def register(check: CloseCheck) -> CloseCheck:
        CLOSE_CHECKS.append(check)
        for code in codes:
            DOCS.setdefault(code, check)
        return check

    return register
