"""S: each event against the JSON Schema of its `type` (schemas/, applied by schemas.py)."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from .. import schemas
from ..model import Event, EventRef, Problem
from ..helpers import remember
from ..state import StreamState
from .registry import on_event

AUTO_CANDIDATES = ("openai", "openrouter")
_TOKEN_COUNT = re.compile(r"\$\.response\.usage\.(?:(\w+_tokens_details)\.)?(\w+_tokens)")


def _u004_says_it(payload: dict, json_path: str | None) -> bool:
    """A usage token count that is present but not an integer >= 0 is U004's, not S001's."""
    found = _TOKEN_COUNT.fullmatch(json_path or "")
    if found is None:
        return False
    usage = payload.get("response", {}).get("usage", {})
    holder = usage.get(found.group(1), {}) if found.group(1) else usage
    return isinstance(holder, dict) and holder.get(found.group(2)) is not None


def next_in_run(event_type: str, state: StreamState) -> tuple[Callable[[Any], bool], tuple[Problem, ...]] | None:
    """What the rule says of each next delta of a run: nothing (but the S002 of an `auto`
    candidate) when its schema less the pinned fields passes it. None under --strict."""
    return None if state.options.strict else _gate(state.options.profile, event_type)[1]


@on_event("S001", "S002", "S003", runs=next_in_run)
def schema_violation(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """S001 schema-violation (error); S002 unknown-event-type (warning);
    S003 extension-not-prefixed (warning under open-responses, off otherwise).

    Each event is validated against `schemas/<type>.json` under the stream's profile: one
    S001 per failing keyword, with the JSON path of the field, what was expected and what was
    found. A type outside the profile's catalog is S002 and is not validated further (clients
    must ignore unknown events); under open-responses a non-standard type without an
    implementor slug prefix is also S003. A missing `sequence_number` is Q004, once per
    stream, not S001 on each event; an SDK-cased payload (F011) is not schema-checked.
    Extra fields are allowed; `--strict` reports each as an S001 warning.

    Fails:  {"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1",
             "output_index":"0","content_index":0,"delta":"Hi","logprobs":[]}
    Passes: {"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1",
             "output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}
    """
    if event.payload is None or event.sdk_cased:
        return
    if not state.options.strict:
        passes = _gate(state.options.profile, event.payload["type"])[0]
        if passes and passes(event.payload):
            return
    for problem in _schema_problems(event, ref, state):
        if problem.code != "S001" or not _u004_says_it(event.payload, problem.json_path):
            yield problem


def auto_split(kind: str | None) -> tuple[tuple[str, ...], frozenset[str]]:
    """Under `auto`: the candidate profiles whose catalog knows the type, in order, and the
    others. The first that knows it is the one whose schema checks the event."""
    split = _SPLITS.get(kind)
    if split is None:
        known = tuple(p for p in AUTO_CANDIDATES if kind in schemas.known_types(p))
        split = remember(_SPLITS, kind, (known, frozenset(p for p in AUTO_CANDIDATES if p not in known)))
    return split


_SPLITS: dict = {}  # type -> auto_split's answer (the catalogs change only before a run: forget_types)


def _gate(
    profile: str | None, kind: str
) -> tuple[Callable[[Any], bool] | None, tuple[Callable[[Any], bool], tuple[Problem, ...]] | None]:
    """(the predicate whose "valid" means the rule says nothing, or None when a valid event
    still gets S002; `next_in_run`'s answer) per profile and type. The schema is the profile's,
    or under `auto` the first candidate's that knows the type: (None, None) when none does."""
    key = (profile, kind)
    found = _GATES.get(key)
    if found is None:
        extra: list[Problem] = []
        if profile is None:
            known, unknown = auto_split(kind)
            by = known[0] if known else None
            if known and unknown:
                extra = unknown_type_problems({"type": kind}, unknown, False)  # S002 alone
        else:
            by = profile if kind in schemas.known_types(profile) else None
        if by is None:
            found = (None, None)
        else:
            found = (None if extra else schemas.quick_check(by, kind), (schemas.rest_check(by, kind), tuple(extra)))
        remember(_GATES, key, found)
    return found


_GATES: dict = {}  # (profile or None for auto, type) -> _gate's answer


def forget_types() -> None:
    """The catalogs changed (the user's schemas, schemas.use_user_schemas): answer again."""
    _SPLITS.clear()
    _GATES.clear()


def _schema_problems(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    payload = event.payload
    assert payload is not None
    profile = state.options.profile
    if profile is not None:
        yield from schemas.check_event(payload, profile, state.options.strict)
        return
    # auto: openai and openrouter share every schema they both know; only catalogs differ.
    known, unknown = auto_split(ref.type)
    if not known:
        yield from schemas.check_event(payload, "openai", state.options.strict)
        return
    for found in schemas.check_event(payload, known[0], state.options.strict):
        yield found._replace(only_profiles=frozenset(known)) if unknown else found
    if unknown:
        yield from unknown_type_problems(payload, unknown, state.options.strict)


def unknown_type_problems(payload: dict, unknown: frozenset[str], strict: bool) -> list[Problem]:
    """Under `auto`, what a type outside the catalog of the candidates `unknown` gets, true
    only under those: S002, which depends on nothing but the type."""
    return [
        found._replace(only_profiles=unknown) for found in schemas.check_event(payload, next(iter(unknown)), strict)
    ]
