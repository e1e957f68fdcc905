"""U: usage adds up (total = input + output, cached within input, reasoning within output),
token counts are non-negative integers, usage never shrinks, OpenRouter cost parts add up.

Usage is read from the `response.usage` of lifecycle events. Each of U001-U004 is reported
once per stream: providers repeat the same usage on several events.
"""

from __future__ import annotations

import json
import math
from typing import Iterator

from ..model import Event, EventRef, Problem
from ..helpers import short
from ..state import LIFECYCLE, StreamState
from .registry import on_event


def _usage(event: Event, ref: EventRef) -> dict | None:
    if ref.type not in LIFECYCLE or event.payload is None:
        return None
    response = event.payload.get("response")
    usage = response.get("usage") if isinstance(response, dict) else None
    return usage if isinstance(usage, dict) else None


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0


def token_counts(usage: dict) -> Iterator[tuple[str, object]]:
    """(path under usage, value) of every token count: `*_tokens` here and in `*_details`."""
    for key, value in usage.items():
        if key.endswith("_tokens"):
            yield key, value
        elif key.endswith("_tokens_details") and isinstance(value, dict):
            for inner, count in value.items():
                if inner.endswith("_tokens"):
                    yield f"{key}.{inner}", count


def _once(state: StreamState, code: str) -> bool:
    if code in state.reported:
        return False
    state.reported.add(code)
    return True


@on_event("U001", "U002", "U003", types=LIFECYCLE)
def usage_arithmetic(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """U001 usage-total-mismatch (error); U002 cached-exceeds-input (error under openai,
    warning otherwise); U003 reasoning-exceeds-output (error under openai, warning otherwise).

    U001: `total_tokens == input_tokens + output_tokens`. U002: cached tokens are a part of
    the input, so `input_tokens_details.cached_tokens <= input_tokens`. U003: reasoning tokens
    are a part of the output, so `output_tokens_details.reasoning_tokens <= output_tokens`.
    Checked only where the figures are integers (otherwise U004 says so).

    Fails:  "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 16, ...}
    Passes: "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15, ...}
    """
    usage = _usage(event, ref)
    if usage is None:
        return
    given, taken, total = usage.get("input_tokens"), usage.get("output_tokens"), usage.get("total_tokens")
    if _is_count(given) and _is_count(taken) and _is_count(total) and total != given + taken and _once(state, "U001"):  # type: ignore[operator]
        yield Problem(
            "U001",
            f"`{ref.type}` usage.total_tokens is {total}, but input_tokens + output_tokens = {given} + {taken} = {given + taken}",  # type: ignore[operator]
            json_path="$.response.usage.total_tokens",
        )
    details = usage.get("input_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, dict) else None
    if _is_count(given) and _is_count(cached) and cached > given and _once(state, "U002"):  # type: ignore[operator]
        yield Problem(
            "U002",
            f"`{ref.type}` usage.input_tokens_details.cached_tokens is {cached}, more than input_tokens {given}",
            json_path="$.response.usage.input_tokens_details.cached_tokens",
        )
    details = usage.get("output_tokens_details")
    reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
    if _is_count(taken) and _is_count(reasoning) and reasoning > taken and _once(state, "U003"):  # type: ignore[operator]
        yield Problem(
            "U003",
            f"`{ref.type}` usage.output_tokens_details.reasoning_tokens is {reasoning}, more than output_tokens {taken}",
            json_path="$.response.usage.output_tokens_details.reasoning_tokens",
        )


@on_event("U004", types=LIFECYCLE)
def token_count_invalid(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """U004 token-count-invalid (error under every profile).

    Every token count in usage (`*_tokens`, and those inside `*_tokens_details`) is a
    non-negative integer; `12.0` or `"12"` is not. Null is left to the schema (S001).
    The schema check does not report the same field again.

    Fails:  "usage": {"input_tokens": -1, ...}
    Passes: "usage": {"input_tokens": 12, ...}
    """
    usage = _usage(event, ref)
    if usage is None:
        return
    for path, value in token_counts(usage):
        if value is not None and not _is_count(value) and _once(state, f"U004 {path}"):
            what = "negative" if type(value) is int else "not an integer"
            shown = short(json.dumps(value) if isinstance(value, str) else value)
            yield Problem(
                "U004",
                f"`{ref.type}` usage.{path} is {shown}: {what}; token counts are integers >= 0",
                json_path=f"$.response.usage.{path}",
            )


@on_event("U005", types=LIFECYCLE)
def usage_decreased(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """U005 usage-decreased (warning under every profile).

    A usage figure never shrinks from one lifecycle event to the next: usage only accumulates.
    Reported once per stream.

    Fails:  response.in_progress {usage.output_tokens 20}, response.completed {usage.output_tokens 12}
    Passes: response.in_progress {usage.output_tokens 12}, response.completed {usage.output_tokens 20}
    """
    usage = _usage(event, ref)
    if usage is None or state.usage is None or "U005" in state.reported:
        return
    before = dict(token_counts(state.usage))
    for path, value in token_counts(usage):
        old = before.get(path)
        if _is_count(value) and _is_count(old) and value < old:  # type: ignore[operator]
            state.reported.add("U005")
            yield Problem(
                "U005",
                f"`{ref.type}` usage.{path} is {value}, down from {old} on an earlier lifecycle event",
                json_path=f"$.response.usage.{path}",
            )
            return


def _number(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


@on_event("U006", types=LIFECYCLE)
def cost_mismatch(event: Event, ref: EventRef, state: StreamState) -> Iterator[Problem]:
    """U006 cost-mismatch (warning under openrouter, off otherwise).

    OpenRouter's cost parts add up. Without BYOK, `cost` equals
    `cost_details.upstream_inference_input_cost + upstream_inference_output_cost`; with
    `is_byok: true`, `cost` is OpenRouter's own fee and `upstream_inference_cost` equals that
    sum instead. Tolerance: 1e-6 relative plus 1e-9 absolute. Skipped when a figure is absent.

    Fails:  "cost": 0.0013, "cost_details": {"upstream_inference_input_cost": 0.0008, "upstream_inference_output_cost": 0.0004}
    Passes: "cost": 0.0012, "cost_details": {"upstream_inference_input_cost": 0.0008, "upstream_inference_output_cost": 0.0004}
    """
    usage = _usage(event, ref)
    details = usage.get("cost_details") if usage else None
    if not isinstance(details, dict) or "U006" in state.reported:
        return
    parts = details.get("upstream_inference_input_cost"), details.get("upstream_inference_output_cost")
    if not all(_number(p) for p in parts):
        return
    expected = parts[0] + parts[1]  # type: ignore[operator]
    byok = usage.get("is_byok") is True  # type: ignore[union-attr]
    field = "cost_details.upstream_inference_cost" if byok else "cost"
    found = details.get("upstream_inference_cost") if byok else usage.get("cost")  # type: ignore[union-attr]
    if not _number(found):
        return
    if abs(found - expected) > 1e-9 + 1e-6 * max(abs(found), abs(expected)):  # type: ignore[operator,arg-type]
        state.reported.add("U006")
        yield Problem(
            "U006",
            f"`{ref.type}` usage.{field} is {found}, but upstream_inference_input_cost + upstream_inference_output_cost = {parts[0]} + {parts[1]} = {expected:.12g}"
            + (" (is_byok: true)" if byok else ""),
            json_path=f"$.response.usage.{field}",
        )
