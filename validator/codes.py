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
    ("F003", "unterminated-event", "W", "The last SSE block has no blank line after it: a spec-compliant client drops it."),
    ("F004", "unknown-sse-field", "W", "An SSE line whose field is not `event`, `data`, `id` or `retry`."),
    ("F005", "invalid-retry", "W", "`retry:` whose value is not ASCII digits only."),
    ("F006", "event-type-mismatch", "E", "The SSE `event:` name differs from the payload's `type`."),
    ("F007", "duplicate-key", "E", "A JSON object in a payload has the same key twice."),
    ("F008", "non-finite-number", "E", "`NaN`, `Infinity` or `-Infinity` in a payload (not JSON)."),
    ("F009", "done-sentinel-not-last", "E", "Something other than comments follows `data: [DONE]`."),
    ("F010", "missing-done-sentinel", "OR W, ORS E, OA -", "The stream ends without `data: [DONE]`."),
    ("F011", "sdk-casing", "E", "The payload uses SDK camelCase keys: it was serialized by an SDK, not recorded from the wire."),
    ("F012", "not-an-event", "E", "A payload is valid JSON but not an object with a string `type`."),
    ("F013", "empty-capture", "E", "The capture holds no events at all."),
    ("F014", "missing-event-field", "OA W, else -", "An SSE block with `data:` but no `event:` line, where the profile expects one."),
    ("F015", "unexpected-done-sentinel", "OA W, else -", "`data: [DONE]` in a stream whose profile has no sentinel."),
    ("F016", "unused-suppression", "W", "An `: orvalidate: ignore[...]` comment suppresses nothing."),
    ("F017", "container-unreadable", "E", "A cassette or HAR file, or a Responses stream inside it, cannot be read."),
    # S: schema
    ("S001", "schema-violation", "E", "The event fails the JSON Schema for its `type`."),
    ("S002", "unknown-event-type", "W", "`type` is not in the profile's catalog of event types."),
    ("S003", "extension-not-prefixed", "ORS W, else -", "A non-standard event type lacks an implementor slug prefix."),
    # Q: sequence numbers
    ("Q001", "sequence-start", "E", "The first `sequence_number` of a stream is not 0 (or N+1 after `--starting-after N`)."),
    ("Q002", "sequence-gap", "E", "A `sequence_number` skips values."),
    ("Q003", "sequence-not-increasing", "E", "A `sequence_number` repeats or goes backwards."),
    ("Q004", "sequence-missing", "E", "An event has no `sequence_number` (one finding per stream)."),
    # L: lifecycle
    ("L001", "missing-created", "OR W, else E", "The first event of a stream is not `response.created`."),
    ("L002", "missing-terminal", "E", "The stream ends without `response.completed`, `response.incomplete` or `response.failed`."),
    ("L003", "event-after-terminal", "E", "An event follows the terminal event."),
    ("L004", "response-id-changed", "E", "`response.id` differs between lifecycle events of one stream."),
    ("L005", "status-mismatch", "E", "The response `status` does not fit the lifecycle event."),
    ("L006", "error-without-failed", "W", "An `error` event is not followed by `response.failed`."),
    ("L007", "lifecycle-order", "W", "`response.in_progress`/`queued` out of place."),
    ("L008", "terminal-details", "E", "A terminal event lacks `usage`/`output`, `incomplete_details.reason` or `error`."),
    # O: output items and their parts
    ("O001", "unknown-output-item", "E", "An event names an `output_index` or `item_id` before its `output_item.added`."),
    ("O002", "output-index-order", "E", "`output_item.added` indices are not 0, 1, 2, ... each once."),
    ("O003", "item-id-mismatch", "E", "An event's `item_id` is not the id of the item at its `output_index`."),
    ("O004", "item-type-mismatch", "E", "The event family does not fit the item type."),
    ("O005", "duplicate-item-id", "E", "Two output items share an id, or two tool calls share a `call_id`."),
    ("O006", "part-index-order", "E", "`content_index`, `summary_index` or `annotation_index` do not grow 0, 1, 2, ..."),
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
    ("D005", "part-done-mismatch", "W", "`content_part.done.part` differs from its `.done` text or the final item content."),
    ("D006", "final-output-mismatch", "W", "The terminal `response.output` differs from the items of `output_item.done`."),
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
    ("P006", "tool-arguments-invalid", "E", "A function call's arguments are not JSON or do not fit the tool's `parameters`."),
    ("P007", "structured-output-invalid", "E", "Structured output (`json_schema`) does not parse or validate against its schema."),
    ("P008", "unexpected-final-status", "E", "The response ends with another status or reason than the scenario expects."),
    ("P009", "stream-plain-mismatch", "W", "The streamed and the non-streamed response to one request differ in shape."),
]

RULES: dict[str, Rule] = {
    code: Rule(code, name, _severity(cell), summary) for code, name, cell, summary in _TABLE
}
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES.values()}



# The documentation of the codes the reader and the engine report themselves (they have no rule
# function whose docstring could say it). `orvalidate rule CODE` prints these.
READER_DOCS: dict[str, str] = {
    "F001": """F001 invalid-utf8 (error under every profile).

An event stream is UTF-8 by definition. Each line holding bytes that are not UTF-8 gives one
finding with the byte offset of the first bad byte; the bytes are read as U+FFFD and reading
goes on, so the rest of the capture is still checked.

Fails:  data: {"type":"response.output_text.delta","delta":"caf\\xe9",...}  (a Latin-1 byte)
Passes: data: {"type":"response.output_text.delta","delta":"café",...}  (UTF-8)""",
    "F002": """F002 invalid-json (error under every profile).

A `data:` payload (all `data:` lines of a block joined with LF) or a JSONL line is not JSON. The
location is the place of the error in the capture file, not the start of the event. The event
still counts in the stream, but rules that would need its content stay quiet about it (no L001
when it is first, no L002 when it is last, no sequence gap across it).

Fails:  data: {"type":"response.created","sequence_number":0,
Passes: data: {"type":"response.created","sequence_number":0,"response":{...}}""",
    "F003": """F003 unterminated-event (warning under every profile).

An SSE event is dispatched at a blank line; a client that follows the specification drops a
last block that has none. The block is still checked.

Fails:  ...data: {"type":"response.completed",...}<end of file>
Passes: ...data: {"type":"response.completed",...}\\n\\n<end of file>""",
    "F004": """F004 unknown-sse-field (warning under every profile).

SSE knows the fields `event`, `data`, `id` and `retry`; a client ignores any other line, so
whatever it carries is lost. Comments start with `:`.

Fails:  evnt: response.created
Passes: event: response.created""",
    "F005": """F005 invalid-retry (warning under every profile).

`retry:` sets the reconnection time in milliseconds and must be ASCII digits only; a client
ignores any other value.

Fails:  retry: 3s
Passes: retry: 3000""",
    "F007": """F007 duplicate-key (error under every profile).

A JSON object in a payload has the same key twice: parsers disagree on which value wins
(most keep the last). Located at the repeated key.

Fails:  {"type":"response.output_text.delta","delta":"a","delta":"b",...}
Passes: {"type":"response.output_text.delta","delta":"ab",...}""",
    "F008": """F008 non-finite-number (error under every profile).

`NaN`, `Infinity` and `-Infinity` are not JSON; strict parsers (orjson, JavaScript's
JSON.parse) reject the whole event.

Fails:  {"type":"response.completed","response":{"usage":{"cost":NaN,...}}}
Passes: {"type":"response.completed","response":{"usage":{"cost":0.0012,...}}}""",
    "F011": """F011 sdk-casing (error under every profile).

The wire is snake_case. A payload with SDK camelCase protocol keys (`sequenceNumber`, `itemId`,
`outputIndex`, `createdAt`, `inputTokens`, ...) in the event, its response, usage, item or part
was serialized by an SDK after parsing, not recorded from the wire. Keys inside user data
(tool arguments, metadata, JSON Schemas) are never looked at. Such an event is not
schema-checked, and its missing `sequence_number` is not Q004.

Fails:  {"type":"response.output_text.delta","itemId":"msg_1","outputIndex":0,"sequenceNumber":4,...}
Passes: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"sequence_number":4,...}""",
    "F012": """F012 not-an-event (error under every profile).

A payload that is valid JSON but not an object with a string `type` (an array, a string, a
number, an object without `type`) is not an event of this protocol.

Fails:  data: ["response.created"]
Passes: data: {"type":"response.created",...}""",
    "F013": """F013 empty-capture (error under every profile).

The capture holds no event at all: it is empty, blank, only comments, or only `data: [DONE]`.
A fixture like that checks nothing.

Fails:  : OPENROUTER PROCESSING\\n\\ndata: [DONE]\\n\\n
Passes: data: {"type":"response.created",...}\\n\\n...""",
    "F016": """F016 unused-suppression (warning under every profile).

A suppression comment in an SSE capture (`: orvalidate: ignore[D004]` for its block's event,
`: orvalidate: file-ignore[D004]` for the whole file) whose selector suppressed nothing, or
names no rule: it is stale, or hides nothing it was meant to. One finding per idle selector.

Fails:  : orvalidate: ignore[D004]   (in a block whose event has no D004)
Passes: : orvalidate: ignore[D004]   (in the block of the `.done` whose text differs)""",
    "F017": """F017 container-unreadable (error under every profile).

A VCR.py cassette (`.yaml`, `.yml`) or HAR file (`.har`) holds recorded HTTP exchanges;
orvalidate checks every one whose request path ends in `/responses` and whose response is
`text/event-stream`. F017 is reported, at the place of the problem, when the file is not
YAML or JSON, is not a cassette (no `interactions` list) or a HAR (no `log.entries` list),
or when such a stream's body cannot be decoded (bad base64, a corrupt gzip body, a HAR entry
whose `content.text` was not recorded). A container with no Responses stream in it is fine.

Fails:  interactions:\n- request: {uri: 'https://api.openai.com/v1/responses'  (unclosed)
Passes: interactions:\n- request: {method: POST, uri: 'https://api.openai.com/v1/responses'}\n  response: ...""",
}


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
    elif rule.code in READER_DOCS:
        text += READER_DOCS[rule.code] + "\n"
    elif rule.code.startswith("P"):
        from .live.expectations import DOCS as LIVE_DOCS  # docstrings only: no live extra needed

        text += inspect.cleandoc(LIVE_DOCS[rule.code].__doc__ or "") + "\n"
    return text
