"""One payload's text -> a dict, with the JSON-level findings (F002, F007, F008, F011, F012).

orjson is the fast path; anything it refuses (NaN, integers past 64 bits, lone surrogates,
deep nesting, real syntax errors) goes through the standard library, which either accepts it
(and says why orjson did not) or gives the position of the error.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

import orjson

from .helpers import short
from .model import Problem, Span

# A JSON string, written as an unrolled loop: `(?:[^"\\]|\\.)*` would keep backtracking state
# for every character, gigabytes on a string of tens of megabytes.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
# A JSON string, optionally followed by the colon that makes it an object key. Matching strings
# one after another from the left never starts inside a string, so the count of keys is exact.
_STRING_OR_KEY = re.compile(_STRING + r"[ \t\r\n]*(:?)", re.S)
_SPACED_COLON = re.compile(r'"[ \t\r\n]+:')
_BLANK_AFTER_QUOTE = ('" ', '"\t', '"\n', '"\r')  # cheap tests before the regex
# 19 digits or more may pass 64 bits (2**64 and up, or below -2**63), which orjson turns into a
# float: the standard library keeps such integers exact (a digit run inside a string only costs
# the slower parser).
_HUGE_INTEGER = re.compile(r"\d{19}")

# Protocol keys whose camelCase form only an SDK writes (PROTOCOL.md 2.1). F011 looks at these
# in the event, the response, its usage, items and parts, never inside user-supplied JSON.
_SNAKE_KEYS = """
sequence_number item_id output_index content_index summary_index annotation_index
partial_image_b64 partial_image_index command_index created_at completed_at output_text
incomplete_details max_output_tokens max_tool_calls previous_response_id parallel_tool_calls
tool_choice top_p top_logprobs service_tier safety_identifier prompt_cache_key input_tokens
output_tokens total_tokens input_tokens_details output_tokens_details cached_tokens
reasoning_tokens is_byok cost_details upstream_inference_cost upstream_inference_input_cost
upstream_inference_output_cost call_id encrypted_content
""".split()
_CAMEL_KEYS = {k.split("_")[0] + "".join(w.title() for w in k.split("_")[1:]): k for k in _SNAKE_KEYS}


def _walk(value: Any) -> tuple[int, bool]:
    """(keys in every object, whether a float of 2**63 or more appears), without recursion.

    orjson reads integers of 2**64 and more as floats; such a float sends the payload to the
    standard library, which keeps integers exact.
    """
    if type(value) is not dict and type(value) is not list:
        return 0, False
    count = 0
    huge = False
    stack = [value]
    while stack:
        node = stack.pop()
        values = node.values() if type(node) is dict else node
        if type(node) is dict:
            count += len(node)
        for item in values:
            kind = type(item)
            if kind is dict or kind is list:
                stack.append(item)
            elif kind is float and not -9.2e18 < item < 9.2e18:
                huge = True
    return count, huge


_TOKENS = re.compile(_STRING + r"[ \t\r\n]*(:?)|[{}\[\]]", re.S)


def _may_repeat_keys(text: str, keys: int) -> bool:
    """Could some object repeat a key? Compares the keys parsed with the keys written.

    Fast path: in compact JSON every key ends in `":`, and inside a string `":` can only be
    `\\":`, so when `":` occurs exactly as often as there are parsed keys and no key has
    blanks before its colon, every written key was kept. Otherwise count the written keys
    exactly.
    """
    if text.count('":') == keys and not (any(q in text for q in _BLANK_AFTER_QUOTE) and _SPACED_COLON.search(text)):
        return False
    return sum(1 for colon in _STRING_OR_KEY.findall(text) if colon) != keys


def _duplicate_keys(text: str) -> list[tuple[str, int]]:
    """(key, position of its repeat) for keys that appear twice in one object.

    The slow, exact search, run only when the key count says there is a repeat: strings and
    brackets are read in order, with the keys of each open object on a stack.
    """
    found: list[tuple[str, int]] = []
    stack: list[set | None] = []
    for token in _TOKENS.finditer(text):
        first = token.group()[0]
        if first == "{":
            stack.append(set())
        elif first == "[":
            stack.append(None)
        elif first in "}]":
            if stack:
                stack.pop()
        elif token.group(1) and stack and stack[-1] is not None:
            raw = token.group()
            key = json.loads(raw[: raw.rindex('"') + 1])
            if key in stack[-1]:
                found.append((key, token.start()))
            stack[-1].add(key)
    return found


_CONSTANT = re.compile(_STRING + r"|(-?Infinity|NaN)", re.S)


def _constant_at(text: str) -> int:
    """The position of the first NaN or Infinity outside a string."""
    for token in _CONSTANT.finditer(text):
        if token.group(1):
            return token.start()
    return 0


_LOOK_FURTHER = frozenset(_CAMEL_KEYS) | {"response", "item", "part", "usage"}


def is_plain(payload: dict) -> bool:
    """No camelCase key can be in it, nor anything nested `_sdk_keys` looks into (a delta):
    an event with a string `type` is then an event as it is, with nothing to report."""
    return _LOOK_FURTHER.isdisjoint(payload)


def _sdk_keys(payload: dict) -> list[str]:
    """camelCase protocol keys in the event, its response, usage, item and part."""
    if is_plain(payload):
        return []
    objects = [payload]
    response = payload.get("response")
    if isinstance(response, dict):
        objects.append(response)
        usage = response.get("usage")
        if isinstance(usage, dict):
            objects.append(usage)
        output = response.get("output")
        if isinstance(output, list):
            objects.extend(o for o in output if isinstance(o, dict))
    for key in ("item", "part", "usage"):
        if isinstance(payload.get(key), dict):
            objects.append(payload[key])
    found: list[str] = []
    for obj in objects:
        if not _CAMEL_KEYS.keys().isdisjoint(obj):
            found.extend(k for k in obj if k in _CAMEL_KEYS and k not in found)
    return found


# decode's tests, for a payload still in bytes
_BLANK_AFTER_QUOTE_B = tuple(q.encode() for q in _BLANK_AFTER_QUOTE)
_SPACED_COLON_B = re.compile(_SPACED_COLON.pattern.encode())
_HUGE_INTEGER_B = re.compile(_HUGE_INTEGER.pattern.encode())


def read_as_written(value: dict, data: bytes | bytearray) -> bool:
    """Is `value`, which orjson parsed from `data`, all that `data` says: no key repeated (the
    parse kept only its last value), no integer past 64 bits (parsed as a float)?

    Asked when `data` is not what orjson writes back for `value`. Most payloads are (compact,
    UTF-8 as it is): the serialization of the parsed value holds each key once and writes a
    float (an integer past 64 bits) with a point or exponent, so there is nothing to find, and
    that comparison, which the reader and `decode` make first, costs less than counting the
    keys (lines over SERIALIZED_UP_TO skip it: the copy)."""
    keys, huge = _walk(value)
    if huge and _HUGE_INTEGER_B.search(data):
        return False
    # `":` ends every key written without blanks before its colon, and strings may hold more:
    # with no key written `"k" :`, as many `":` as parsed keys means no key was dropped.
    if data.count(b'":') != keys:
        return False
    return not (any(q in data for q in _BLANK_AFTER_QUOTE_B) and _SPACED_COLON_B.search(data))


SERIALIZED_UP_TO = 1 << 20


def decode(text: str, locate: Callable[[int], Span]) -> tuple[Any, list[Problem]]:
    """Parse `text`; `locate` turns a character position in it into a place in the file.

    Returns (payload or None, problems). The payload is the parsed value whatever its shape;
    `check_event_shape` decides whether it is an event.
    """
    problems: list[Problem] = []
    try:
        value = orjson.loads(text)
        if len(text) < SERIALIZED_UP_TO and orjson.dumps(value) == text.encode("utf-8", "surrogatepass"):
            return value, problems  # nothing to find (the length first: no copy of a long line)
        keys, huge = _walk(value)
        if huge and _HUGE_INTEGER.search(text):
            raise orjson.JSONDecodeError("orjson reads integers of 2**64 and more as floats", text, 0)
    except orjson.JSONDecodeError:
        non_finite: list[str] = []

        def constant(name: str) -> float:
            non_finite.append(name)
            return float("nan")

        try:
            value = json.loads(text, parse_constant=constant)
        except json.JSONDecodeError as exc:
            hint = " -- is this SSE? try --input-format sse" if text.startswith(("data:", "event:", ":")) else ""
            return None, [Problem("F002", f"invalid JSON: {exc.msg}{hint}", span=locate(exc.pos))]
        except RecursionError:
            return None, [Problem("F002", "invalid JSON: nested too deeply to parse", span=locate(0))]
        if non_finite:
            problems.append(Problem("F008", f"`{non_finite[0]}` is not a JSON number", span=locate(_constant_at(text))))
        keys, _ = _walk(value)
    if _may_repeat_keys(text, keys):
        for key, position in _duplicate_keys(text):
            problems.append(Problem("F007", f"duplicate key `{short(key)}` in one JSON object", span=locate(position)))
    return value, problems


def check_event_shape(value: Any, span: Span) -> tuple[dict | None, list[Problem], bool]:
    """Is this parsed value an event? Returns (event payload or None, problems, sdk_cased)."""
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        if isinstance(value, dict):
            found = "no `type`" if "type" not in value else f"`type` {short(value['type'])}"
            what = f"an object with {found}"
        else:
            what = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
                type(value), "a number"
            )
        return None, [Problem("F012", f"expected an event object with a string `type`, found {what}", span=span)], False
    camel = _sdk_keys(value)
    if camel:
        listed = ", ".join(f"`{k}`" for k in camel[:4]) + (" ..." if len(camel) > 4 else "")
        wire = ", ".join(f"`{_CAMEL_KEYS[k]}`" for k in camel[:2])
        return (
            value,
            [
                Problem(
                    "F011",
                    f"SDK camelCase keys {listed}: this payload was serialized by an SDK, not recorded "
                    f"from the wire (the wire says {wire})",
                    span=span,
                )
            ],
            True,
        )
    return value, [], False


CODE_DOCS: dict[str, str] = {  # what the codes reported here mean: `orvalidate rule CODE` prints it
    "F002": """F002 invalid-json (error under every profile).

A `data:` payload (all `data:` lines of a block joined with LF) or a JSONL line is not JSON. The
location is the place of the error in the capture file, not the start of the event. The event
still counts in the stream, but rules that would need its content stay quiet about it (no L001
when it is first, no L002 when it is last, no sequence gap across it).

Fails:  data: {"type":"response.created","sequence_number":0,
Passes: data: {"type":"response.created","sequence_number":0,"response":{...}}""",
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
}
