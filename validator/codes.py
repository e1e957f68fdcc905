"""The one table of rules: code, name, severity per profile, summary (RULES.md is the contract)."""

from __future__ import annotations

from typing import NamedTuple

from .model import PROFILES

ERROR = "error"
WARNING = "warning"
_LEVEL = {"E": ERROR, "W": WARNING, "-": None}
_PROFILE_ABBREV = {"OR": "openrouter", "OA": "openai", "ORS": "open-responses"}


class Rule(NamedTuple):
    code: str
    name: str
    severity: dict  # profile -> "error" | "warning" | None (off unless selected)
    summary: str

    @property
    def strongest(self) -> str:
        """Its strongest severity under any profile: what it reports at where a user selects
        it although the profile has it off, and its default level for code scanning."""
        return "error" if "error" in self.severity.values() else "warning"


def _severity(cell: str) -> dict:
    """Read a RULES.md severity cell: `E`, `W`, or `OR W, ORS E, OA -` / `OA W, else -`."""
    if cell in _LEVEL:
        return {p: _LEVEL[cell] for p in PROFILES}
    levels: dict = {}
    for part in cell.split(","):
        who, level = part.split()
        if who == "else":
            for p in PROFILES:
                levels.setdefault(p, _LEVEL[level])
        else:
            levels[_PROFILE_ABBREV[who]] = _LEVEL[level]
    return levels


_TABLE = [
    # F: framing (the reader)
    ("F001", "invalid-utf8", "E", "The capture is not valid UTF-8 (SSE is UTF-8 by definition)."),
    ("F002", "invalid-json", "E", "A `data:` payload or JSONL line is not valid JSON."),
    (
        "F003",
        "unterminated-event",
        "W",
        "The last SSE block has no blank line after it: a spec-compliant client drops it.",
    ),
    ("F004", "unknown-sse-field", "W", "An SSE line whose field is not `event`, `data`, `id` or `retry`."),
    ("F005", "invalid-retry", "W", "`retry:` whose value is not ASCII digits only."),
    ("F006", "event-type-mismatch", "E", "The SSE `event:` name differs from the payload's `type`."),
    ("F007", "duplicate-key", "E", "A JSON object in a payload has the same key twice."),
    ("F008", "non-finite-number", "E", "`NaN`, `Infinity` or `-Infinity` in a payload (not JSON)."),
    ("F009", "done-sentinel-not-last", "E", "Something other than comments follows `data: [DONE]`."),
    ("F010", "missing-done-sentinel", "OR W, ORS E, OA -", "The stream ends without `data: [DONE]`."),
    (
        "F011",
        "sdk-casing",
        "E",
        "The payload uses SDK camelCase keys: it was serialized by an SDK, not recorded from the wire.",
    ),
    ("F012", "not-an-event", "E", "A payload is valid JSON but not an object with a string `type`."),
    ("F013", "empty-capture", "E", "The capture holds no events at all."),
    (
        "F014",
        "missing-event-field",
        "OA W, else -",
        "An SSE block with `data:` but no `event:` line, where the profile expects one.",
    ),
    ("F015", "unexpected-done-sentinel", "OA W, else -", "`data: [DONE]` in a stream whose profile has no sentinel."),
    ("F016", "unused-suppression", "W", "An `: orvalidate: ignore[...]` comment suppresses nothing."),
    ("F017", "container-unreadable", "E", "A cassette or HAR file, or a Responses stream inside it, cannot be read."),
    # S: schema
    ("S001", "schema-violation", "E", "The event fails the JSON Schema for its `type`."),
    ("S002", "unknown-event-type", "W", "`type` is not in the profile's catalog of event types."),
    ("S003", "extension-not-prefixed", "ORS W, else -", "A non-standard event type lacks an implementor slug prefix."),
    # Q: sequence numbers
    (
        "Q001",
        "sequence-start",
        "E",
        "The first `sequence_number` of a stream is not 0 (or N+1 after `--starting-after N`).",
    ),
    ("Q002", "sequence-gap", "E", "A `sequence_number` skips values."),
    ("Q003", "sequence-not-increasing", "E", "A `sequence_number` repeats or goes backwards."),
    ("Q004", "sequence-missing", "E", "An event has no `sequence_number` (one finding per stream)."),
    # L: lifecycle
    ("L001", "missing-created", "OR W, else E", "The first event of a stream is not `response.created`."),
    (
        "L002",
        "missing-terminal",
        "E",
        "The stream ends without `response.completed`, `response.incomplete` or `response.failed`.",
    ),
    ("L003", "event-after-terminal", "E", "An event follows the terminal event."),
    ("L004", "response-id-changed", "E", "`response.id` differs between lifecycle events of one stream."),
    ("L005", "status-mismatch", "E", "The response `status` does not fit the lifecycle event."),
    ("L006", "error-without-failed", "W", "An `error` event is not followed by `response.failed`."),
    ("L007", "lifecycle-order", "W", "`response.in_progress`/`queued` out of place."),
    (
        "L008",
        "terminal-details",
        "E",
        "A terminal event lacks `usage`/`output`, `incomplete_details.reason` or `error`.",
    ),
    # O: output items and their parts
    (
        "O001",
        "unknown-output-item",
        "E",
        "An event names an `output_index` or `item_id` before its `output_item.added`.",
    ),
    ("O002", "output-index-order", "E", "`output_item.added` indices are not 0, 1, 2, ... each once."),
    ("O003", "item-id-mismatch", "E", "An event's `item_id` is not the id of the item at its `output_index`."),
    ("O004", "item-type-mismatch", "E", "The event family does not fit the item type."),
    ("O005", "duplicate-item-id", "E", "Two output items share an id, or two tool calls share a `call_id`."),
    (
        "O006",
        "part-index-order",
        "E",
        "`content_index`, `summary_index` or `annotation_index` do not grow 0, 1, 2, ...",
    ),
    ("O007", "part-not-open", "E", "A delta or `.done` for a part that was never added or is already done."),
    ("O008", "part-type-mismatch", "E", "The delta kind does not fit the part type."),
    ("O009", "item-changed", "E", "`output_item.done` differs from its `added` in index, id or type."),
    ("O010", "item-status", "W", "`output_item.done` carries a status other than `completed` or `incomplete`."),
    ("O011", "interleaved-items", "OA W, else -", "Item k+1 starts before item k is done."),
    # D: completeness
    ("D001", "missing-delta-done", "E", "A run of `*.delta` events has no matching `*.done`."),
    ("D002", "missing-part-done", "E", "A content or summary part has no matching `.done` before its item closes."),
    ("D003", "missing-item-done", "E", "An `output_item.added` has no `output_item.done` before the terminal event."),
    ("D004", "done-text-mismatch", "W", "The `.done` text differs from the concatenation of its deltas."),
    (
        "D005",
        "part-done-mismatch",
        "W",
        "`content_part.done.part` differs from its `.done` text or the final item content.",
    ),
    (
        "D006",
        "final-output-mismatch",
        "W",
        "The terminal `response.output` differs from the items of `output_item.done`.",
    ),
    ("D007", "duplicate-done", "E", "A `.done` event arrives twice for the same target."),
    ("D008", "tool-call-incomplete", "W", "A hosted tool call closes without its `*.completed` event."),
    # U: usage and cost
    ("U001", "usage-total-mismatch", "E", "`total_tokens != input_tokens + output_tokens`."),
    ("U002", "cached-exceeds-input", "OA E, else W", "`input_tokens_details.cached_tokens > input_tokens`."),
    ("U003", "reasoning-exceeds-output", "OA E, else W", "`output_tokens_details.reasoning_tokens > output_tokens`."),
    ("U004", "token-count-invalid", "E", "A token count is negative or not an integer."),
    ("U005", "usage-decreased", "W", "A usage figure shrinks from one lifecycle event to the next."),
    ("U006", "cost-mismatch", "OR W, else -", "OpenRouter cost parts do not add up."),
    # P: what `orvalidate probe` expects of a live server (validator/live/expectations.py)
    ("P001", "http-status", "E", "The server answered with an HTTP status other than 200."),
    ("P002", "content-type", "E", "A streamed answer's `Content-Type` is not `text/event-stream`."),
    ("P003", "stream-interrupted", "E", "The connection broke before the stream ended."),
    ("P004", "stream-timeout", "E", "The scenario did not finish within `--timeout` seconds."),
    ("P005", "expected-output-missing", "E", "The response lacks an output item or event the scenario asked for."),
    (
        "P006",
        "tool-arguments-invalid",
        "E",
        "A function call's arguments are not JSON or do not fit the tool's `parameters`.",
    ),
    (
        "P007",
        "structured-output-invalid",
        "E",
        "Structured output (`json_schema`) does not parse or validate against its schema.",
    ),
    (
        "P008",
        "unexpected-final-status",
        "E",
        "The response ends with another status or reason than the scenario expects.",
    ),
    (
        "P009",
        "stream-plain-mismatch",
        "W",
        "The streamed and the non-streamed response to one request differ in shape.",
    ),
]

RULES: dict[str, Rule] = {code: Rule(code, name, _severity(cell), summary) for code, name, cell, summary in _TABLE}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}


def reader_doc(code: str) -> str | None:
    """The docs of a code no rule function reports: beside its check, in the CODE_DOCS of
    reader.py, payload.py, engine.py, suppress.py or containers/."""
    from . import containers, engine, payload, reader, suppress

    homes = (reader, payload, engine, suppress, containers)
    return next((m.CODE_DOCS[code] for m in homes if code in m.CODE_DOCS), None)


def documentation(code: str) -> str:
    """What `orvalidate rule CODE` prints, and SARIF's help.text: code and name, severity per
    profile, summary, then the rule's own docstring (or the reader's text for F codes)."""
    import inspect

    from .rules import DOCS

    rule = RULES[code]
    text = f"{rule.code} {rule.name}\n\n"
    text += "severity: " + ", ".join(f"{p} {rule.severity[p] or 'off'}" for p in PROFILES) + "\n"
    text += f"\n{rule.summary}\n\n"
    check = DOCS.get(rule.code)
    if check is not None and check.__doc__:
        text += inspect.cleandoc(check.__doc__) + "\n"
    elif reader_doc(rule.code) is not None:
        text += f"{reader_doc(rule.code)}\n"
    elif rule.code.startswith("P"):
        from .live.expectations import DOCS as LIVE_DOCS  # docstrings only: no live extra needed

        text += inspect.cleandoc(LIVE_DOCS[rule.code].__doc__ or "") + "\n"
    return text
