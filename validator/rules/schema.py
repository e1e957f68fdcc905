"""S: each event against the JSON Schema of its `type` (schemas/, applied by schemas.py)."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from .. import schemas
from ..model import Event, EventRef, Problem
from ..protocol import remember
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


@on_event("S001", "S002", "S003")
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
        passes = _passes_for(state.options.profile, event.payload["type"])
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


def checked_by(profile: str | None, kind: str) -> tuple[str, Problem | None] | None:
    """(the profile whose schema checks events of this type, the S002 a valid one still gets
    under `auto` when a candidate profile does not know the type), or None when no profile in
    play knows it. The schema rule's gate and fastpath.plain_delta both ask it."""
    if profile is None:
        known, unknown = auto_split(kind)
        if not known:
            return None
        extra = None
        if unknown:
            (extra,) = unknown_type_problems({"type": kind}, unknown, False)  # S002 alone
        return known[0], extra
    if kind not in schemas.known_types(profile):
        return None
    return profile, None


def _passes_for(profile: str | None, kind: str) -> Callable[[Any], bool] | None:
    """The compiled predicate whose "valid" means the rule has nothing to say of an event of
    this type (not under --strict), or None when even a valid event gets a problem (S002).
    Asked first, it spares the common case the generators and cached look-ups of the wording
    path (one cached answer per profile and type)."""
    key = (profile, kind)
    found = _PASSES.get(key, False)
    if found is False:
        by = checked_by(profile, kind)
        found = schemas.quick_check(by[0], kind) if by is not None and by[1] is None else None
        remember(_PASSES, key, found)
    return found


_PASSES: dict = {}  # (profile or None for auto, type) -> _passes_for's answer


def forget_types() -> None:
    """The catalogs changed (the user's schemas, schemas.use_user_schemas): answer again."""
    _SPLITS.clear()
    _PASSES.clear()


def _schema_problems(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    profile = state.options.profile
    if profile is not None:
        yield from schemas.check_event(event.payload, profile, state.options.strict)
        return
    # auto: openai and openrouter share every schema they both know; only catalogs differ.
    known, unknown = auto_split(ref.type)
    if not known:
        yield from schemas.check_event(event.payload, "openai", state.options.strict)
        return
    for found in schemas.check_event(event.payload, known[0], state.options.strict):
        yield found._replace(only_profiles=frozenset(known)) if unknown else found
    if unknown:
        yield from unknown_type_problems(event.payload, unknown, state.options.strict)


def unknown_type_problems(payload: dict, unknown: frozenset[str], strict: bool) -> list[Problem]:
    """Under `auto`, what a type outside the catalog of the candidates `unknown` gets, true
    only under those: S002, which depends on nothing but the type."""
    return [found._replace(only_profiles=unknown) for found in schemas.check_event(payload, next(iter(unknown)), strict)]
