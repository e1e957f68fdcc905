"""How a rule declares itself: a generator registered for one code, run per event or at the end.

The rule's docstring is its user documentation (`orvalidate rule CODE` prints it). A check
that sees deltas declares the payload fields it reads; only when those are fields a run pins
are the next deltas of a run taken in one loop (fastpath.HotRun). Of the state, a run changes
only `events`, `last`, `seq_last` and the run's text: such a check answers alike for any of those.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from ..model import Event, EventRef, Problem
from ..helpers import remember
from ..protocol import DELTA_EVENTS, PART_INDEX, RUN_PINNED
from ..state import StreamState

EventCheck = Callable[[Event, EventRef, StreamState], Iterator[Problem]]
CloseCheck = Callable[[StreamState], Iterator[Problem]]
Predicate = Callable[[Any], bool]
# (event type, state) -> what a check says of each next delta of a run: (a predicate whose True
# means only the problems given, those problems); None: it cannot answer without running
RunAnswer = tuple[Predicate, tuple[Problem, ...]]
RunCheck = Callable[[str, StreamState], "RunAnswer | None"]

EVENT_CHECKS: list[EventCheck] = []
CLOSE_CHECKS: list[CloseCheck] = []
DOCS: dict[str, Callable] = {}


_BY_TYPE: dict[str | None, tuple[EventCheck, ...]] = {}  # cleared when a check registers


def on_event(
    *codes: str,
    types: Iterable[str] | None = None,
    reads: Iterable[str] | None = None,
    runs: RunCheck | None = None,
) -> Callable[[EventCheck], EventCheck]:
    """Register a check that sees events (of `types` only, when given), with the state as it
    was before that event. `reads`: the payload fields it reads of a delta (PART_INDEX: the
    kind's part index), or `runs`: what it says of each next delta of a run (RunCheck). With
    neither, or reading a field a run does not pin, its deltas are not batched."""

    def register(check: EventCheck) -> EventCheck:
        check.types = frozenset(types) if types is not None else None  # type: ignore[attr-defined]
        check.reads = frozenset(reads) if reads is not None else None  # type: ignore[attr-defined]
        check.runs = runs  # type: ignore[attr-defined]
        EVENT_CHECKS.append(check)
        _BY_TYPE.clear()
        for code in codes:
            DOCS.setdefault(code, check)
        return check

    return register


_PINNED = frozenset({*RUN_PINNED, PART_INDEX})


def run_checks(event_type: str, state: StreamState) -> RunAnswer | None:
    """What the checks of this delta type say of each next delta of a run whose opener got
    only the problems they give (see RunCheck), as one predicate and those problems; None
    when the run may not be batched (a check reads a field the run does not pin, or cannot
    answer without running)."""
    checks = checks_for(event_type)
    found = _RUNS.get(event_type)
    if found is None or found[0] is not checks:  # made again for a new tuple of checks
        ok = event_type in DELTA_EVENTS and all(
            c.runs is not None or (c.reads is not None and c.reads <= _PINNED)  # type: ignore[attr-defined]
            for c in checks
        )
        found = remember(_RUNS, event_type, (checks, ok, tuple(c.runs for c in checks if c.runs is not None)))  # type: ignore[attr-defined]
    answers = [runs(event_type, state) for runs in found[2]] if found[1] else [None]
    if None in answers:
        return None
    predicates = [answer[0] for answer in answers]  # type: ignore[index]
    check = predicates[0] if len(predicates) == 1 else lambda value: all(p(value) for p in predicates)
    return check, tuple(problem for answer in answers for problem in answer[1])  # type: ignore[index]


_RUNS: dict[str, tuple[tuple[EventCheck, ...], bool, tuple[RunCheck, ...]]] = {}  # type -> (checks_for, ok, runs)


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
