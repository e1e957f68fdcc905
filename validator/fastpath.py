"""The common case in one pass: a `*.delta` that no per-event rule would report.

Nine events in ten of the real captures are deltas, and on each the full path runs a dozen
rule generators. `plain_delta` asks, in one function, every question those rules ask of a
delta (COVERED names them); when all answers are "fine" the engine only records the delta
(`StreamState.add_delta`), and otherwise the event takes the full path, which finds and words
whatever there is. It reports nothing itself, so it can change no message; the tests run
every fixture, real capture and generated stream with and without it and compare findings,
and fail when a rule that reads deltas is added without being covered here.
"""

from __future__ import annotations

from .model import Event
from .protocol import DELTA_EVENTS, DeltaKind, item_family
from .rules.schema import auto_split
from .schemas import known_types, quick_check
from .state import Item, StreamState

# The per-event checks `plain_delta` answers for, as "module.function" of validator/rules/.
COVERED = frozenset(
    {
        "framing.event_type_mismatch",  # F006: the SSE name is the payload's type
        "framing.done_sentinel_not_last",  # F009: no `[DONE]` before it
        "items.unknown_output_item",  # O001: its output_index was added
        "items.item_id_mismatch",  # O003: its item_id is the item's
        "items.item_type_mismatch",  # O004: the item's type fits the delta
        "items.part_not_open",  # O007/O008: its part is added, open and of the right type
        "lifecycle.missing_created",  # L001: it is not the first event
        "lifecycle.event_after_terminal",  # L003: no terminal event yet
        "schema.schema_violation",  # S001/S002/S003: its type is known and its schema passes
        "sequence.sequence_start",  # Q001: not the first number
        "sequence.sequence_gap",  # Q002 and
        "sequence.sequence_not_increasing",  # Q003: exactly the previous number plus one
    }
)

_FAMILIES = {kind: item_family(kind) for kind in DELTA_EVENTS}


def plain_delta(event: Event, state: StreamState) -> tuple[Item, DeltaKind] | None:
    """(item, delta kind) when every covered check passes this event, else None."""
    payload = event.payload
    if payload is None or event.problems or event.sdk_cased or not event.has_event_field or event.comments:
        return None
    name = payload["type"]
    kind = DELTA_EVENTS.get(name)
    if kind is None or (event.sse_event is not None and event.sse_event != name):
        return None
    if state.done is not None or state.terminal is not None or not state.events or state.options.strict:
        return None
    seq = payload.get("sequence_number")
    last = state.seq_last
    if type(seq) is not int or last is None or state.seq_relaxed or seq != last + 1:
        return None
    index = payload.get("output_index")
    item = state.items.get(index) if type(index) is int else None
    if item is None or item.done is not None:
        return None
    item_id = payload.get("item_id")
    if isinstance(item_id, str) and item_id != item.id:
        return None
    family = _FAMILIES[name]
    if family and item.type is not None and item.type not in family:
        return None
    if kind.part_type is not None:
        part = state.part_for(item, kind, payload)
        if part is None or part.done or (part.type is not None and part.type != kind.part_type):
            return None
    check = _SCHEMA_CHECKS.get((state.options.profile, name))
    if check is None:
        check = _SCHEMA_CHECKS[state.options.profile, name] = _schema_check(state.options.profile, name)
    return (item, kind) if check and check(payload) else None


_SCHEMA_CHECKS: dict = {}  # (profile, type) -> `_schema_check`'s answer


def _schema_check(profile: str | None, name: str):
    """The compiled schema check the schema rule would run on a type no profile in play calls
    unknown, else False (under `auto`, None, the rule's `auto_split`)."""
    if profile is None:
        known, unknown = auto_split(name)
        if unknown:
            return False
        profile = known[0]
    elif name not in known_types(profile):
        return False
    return quick_check(profile, name)
