"""P: what a probe scenario expects of a live server, beyond what any stream must satisfy.

The stream itself is checked by the engine (F, S, Q, L, O, D, U). These checks are about the
exchange: the HTTP answer (P001-P004) and what the scenario asked for (P005-P009). Each
function or class here is one code's check, and its docstring is that code's documentation
(`orvalidate rule P005`). Nothing heavy is imported at module level: `orvalidate rule` reads
this module without the `live` extra; jsonschema is imported by the checks that need it.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, NamedTuple

from ..model import Event, Span

ERROR_BODY_LIMIT = 300  # characters of an error body quoted in a P001 message


class Outcome(NamedTuple):
    """What a scenario's exchange gave, for its expectations to read."""

    request: dict  # the body sent
    events: list[Event]  # the stream's events as the project's reader read them
    final: dict | None  # the `response` of the terminal event; None: the stream has none
    terminal: Span | None  # where the terminal event is
    plain: Any = None  # the decoded answer to the same request sent with `stream: false`
    plain_error: str | None = None  # why there is no `plain` (status, not JSON, ...)


class Miss(NamedTuple):
    """An expectation not met: its code and message; located at the terminal event."""

    code: str
    message: str


def http_status(status: int, body: bytes) -> str | None:
    """P001 http-status (error under every profile).

    The server answered a scenario's request with an HTTP status other than 200. The message
    quotes the error message of the body (`error.message` of a JSON error, else the start of
    the body), so a 401 says which key was refused and a 429 which limit was hit. Nothing else
    is checked for that scenario: there is no stream.

    Fails:  HTTP/1.1 401 Unauthorized  {"error":{"message":"No auth credentials found"}}
    Passes: HTTP/1.1 200 OK  (content-type: text/event-stream)
    """
    if status == 200:
        return None
    return f"HTTP {status}: {quote_error(body)}"


def quote_error(body: bytes) -> str:
    """The error message of a response body: a JSON error's `message`, else its first characters."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error", data)
        message = error.get("message") if isinstance(error, dict) else error
        if isinstance(message, str) and message:
            text = message
    if not text:
        return "(empty body)"
    return repr(text[:ERROR_BODY_LIMIT] + ("..." if len(text) > ERROR_BODY_LIMIT else ""))


def content_type(value: str | None) -> str | None:
    """P002 content-type (error under every profile).

    A streamed answer (`stream: true`) must be served as `text/event-stream`: SDKs and
    browsers decide by it whether to read server-sent events. A body of another type is still
    checked as a stream when it starts like one (`event:`, `data:`, `:`); otherwise this is
    the only finding about it.

    Fails:  content-type: application/json  (the server ignored `stream: true`)
    Passes: content-type: text/event-stream; charset=utf-8
    """
    media = (value or "").split(";", 1)[0].strip().lower()
    if media == "text/event-stream":
        return None
    return (
        f"content-type is {value!r}, expected 'text/event-stream'"
        if value
        else "no content-type, expected 'text/event-stream'"
    )


def interrupted(error: str) -> str:
    """P003 stream-interrupted (error under every profile).

    The connection broke before the response body ended: the server closed it mid-stream,
    or a chunked body stopped short. The message says what the HTTP client saw. The bytes
    that did arrive are still checked (and recorded), so L002 usually follows: the stream has
    no terminal event.

    Fails:  ... data: {"type":"response.output_text.delta",...}  <connection reset>
    Passes: ... data: {"type":"response.completed",...}  <body ends, connection kept or closed cleanly>
    """
    return f"the connection broke before the stream ended: {error}"


def timed_out(seconds: float, received: int) -> str:
    """P004 stream-timeout (error under every profile).

    The scenario did not finish within `--timeout` seconds: the server stalled, or the stream
    never ends. The probe stops reading; what arrived is checked (and recorded) as the
    stream, so L002 usually follows.

    Fails:  ... data: {"type":"response.in_progress",...}  <nothing more for --timeout seconds>
    Passes: ... data: {"type":"response.completed",...}  <body ends in time>
    """
    return f"the scenario did not finish within {seconds:g} s ({received} bytes received)"


def _output(outcome: Outcome) -> list[dict]:
    output = (outcome.final or {}).get("output")
    return [item for item in output if isinstance(item, dict)] if isinstance(output, list) else []


class Has:
    """P005 expected-output-missing (error under every profile).

    The final response lacks what the scenario asked for: an output item of a given type
    (`message` for a text answer, `function_call` when a tool must be called, two of them
    for parallel tool calls, `reasoning` for a reasoning request), any output at all, or an
    event type the scenario needs to see streamed (`response.function_call_arguments.delta`).
    Not checked when the stream has no terminal event (that is L002, P003 or P004).

    Fails:  tool-calling: response.completed with output [{"type":"message",...}]
    Passes: tool-calling: response.completed with output [{"type":"function_call","name":"get_weather",...}]
    """

    code = "P005"

    def __init__(self, item: str | None = None, count: int = 1, event: str | None = None) -> None:
        self.item = item  # an output item type
        self.count = count
        self.event = event  # an event type the stream must hold

    def check(self, outcome: Outcome) -> Iterator[str]:
        if self.event is not None:
            if not any(e.type == self.event for e in outcome.events):
                yield f"the stream has no `{self.event}` event"
            return
        output = _output(outcome)
        if self.item is None:
            if not output:
                yield "the response has no output items"
            return
        found = sum(1 for item in output if item.get("type") == self.item)
        if found < self.count:
            kinds = ", ".join(str(item.get("type")) for item in output) or "none"
            wanted = f"{self.count} `{self.item}` items" if self.count > 1 else f"a `{self.item}` item"
            yield f"expected {wanted} in the output, found {found} (output: {kinds})"


class ArgumentsValid:
    """P006 tool-arguments-invalid (error under every profile).

    A `function_call` item's `arguments` is not a JSON object, or does not validate against
    the JSON Schema `parameters` of the tool it names, or names a tool the request did not
    declare. One finding per call, with the first schema error and its JSON path.

    Fails:  {"type":"function_call","name":"get_weather","arguments":"{\\"city\\": \\"Paris\\""}  (not JSON)
    Fails:  {"type":"function_call","name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}  (`location` is required)
    Passes: {"type":"function_call","name":"get_weather","arguments":"{\\"location\\":\\"Paris, France\\"}"}
    """

    code = "P006"

    def check(self, outcome: Outcome) -> Iterator[str]:
        tools = {t.get("name"): t for t in outcome.request.get("tools", []) if isinstance(t, dict)}
        for item in _output(outcome):
            if item.get("type") != "function_call":
                continue
            name, raw = item.get("name"), item.get("arguments")
            if name not in tools:
                yield f"call {item.get('call_id')!r} names the tool {name!r}, which the request did not declare"
                continue
            try:
                arguments = json.loads(raw) if isinstance(raw, str) else None
            except ValueError as exc:
                yield f"the arguments of the `{name}` call are not JSON ({exc}): {_clip(raw)}"
                continue
            if not isinstance(arguments, dict):
                yield f"the arguments of the `{name}` call are not a JSON object: {_clip(raw)}"
                continue
            problem = schema_error(arguments, tools[name].get("parameters") or {})
            if problem:
                yield f"the arguments of the `{name}` call do not validate against its parameters: {problem}"


class StructuredOutputValid:
    """P007 structured-output-invalid (error under every profile).

    The request asked for structured output (`text.format` of type `json_schema`): the text
    of the final `message` must be JSON that validates against that schema. Reported with the
    parse error, or the first schema error and its JSON path.

    Fails:  text.format.schema requires `population`; the output text is {"city":"Paris"}
    Passes: the output text is {"city":"Paris","population":2102650}
    """

    code = "P007"

    def check(self, outcome: Outcome) -> Iterator[str]:
        schema = (outcome.request.get("text") or {}).get("format", {}).get("schema") or {}
        texts = [
            part.get("text")
            for item in _output(outcome)
            if item.get("type") == "message"
            for part in item.get("content") or []
            if isinstance(part, dict) and part.get("type") == "output_text"
        ]
        if not texts:
            return  # no message: P005 says so
        text = "".join(t for t in texts if isinstance(t, str))
        try:
            value = json.loads(text)
        except ValueError as exc:
            yield f"the output text is not JSON ({exc}): {_clip(text)}"
            return
        problem = schema_error(value, schema)
        if problem:
            yield f"the output text does not validate against text.format.schema: {problem}"


class Ends:
    """P008 unexpected-final-status (error under every profile).

    The response ends with another status than the scenario expects: `completed` for most,
    `incomplete` with `incomplete_details.reason` `max_output_tokens` when the request set a
    small `max_output_tokens`. A `failed` response quotes its `error.message`.

    Fails:  max-output-tokens: response.completed (status completed)
    Passes: max-output-tokens: response.incomplete, incomplete_details {"reason":"max_output_tokens"}
    """

    code = "P008"

    def __init__(self, status: str = "completed", reason: str | None = None) -> None:
        self.status = status
        self.reason = reason

    def check(self, outcome: Outcome) -> Iterator[str]:
        final = outcome.final or {}
        status = final.get("status")
        if status != self.status:
            error = final.get("error")
            why = f": {error.get('message')!r}" if isinstance(error, dict) and error.get("message") else ""
            yield f"the response ends {status!r}{why}, expected {self.status!r}"
            return
        if self.reason is not None:
            reason = (final.get("incomplete_details") or {}).get("reason")
            if reason != self.reason:
                yield f"incomplete_details.reason is {reason!r}, expected {self.reason!r}"


class AgreesWithPlain:
    """P009 stream-plain-mismatch (warning under every profile).

    The same request sent with `stream: false` must give a response of the same shape as the
    streamed one's final response: the same status, the same output item types in the same
    order, the same keys on the response, on each item and in `usage`. Texts are not compared
    (a model may answer differently twice). Also reported when the plain answer is not a
    JSON response object.

    Fails:  streamed output [reasoning, message]; plain output [message]
    Passes: both [reasoning, message], both with usage {input_tokens, output_tokens, total_tokens, ...}
    """

    code = "P009"

    def check(self, outcome: Outcome) -> Iterator[str]:
        plain = outcome.plain
        if outcome.plain_error is not None or not isinstance(plain, dict):
            yield f"the plain (stream: false) answer: {outcome.plain_error or 'not a JSON object'}"
            return
        differences = list(shape_differences(outcome.final or {}, plain))
        if differences:
            yield "the streamed and the plain response differ: " + "; ".join(differences[:3])


def shape_differences(streamed: dict, plain: dict) -> Iterator[str]:
    """How two responses to one request differ in shape (not in text)."""
    if streamed.get("status") != plain.get("status"):
        yield f"status {streamed.get('status')!r} streamed, {plain.get('status')!r} plain"
    yield from _keys("the response", streamed, plain)
    types = [[str(i.get("type")) for i in _items(r)] for r in (streamed, plain)]
    if types[0] != types[1]:
        yield f"output item types {types[0]} streamed, {types[1]} plain"
    else:
        for index, (a, b) in enumerate(zip(_items(streamed), _items(plain))):
            yield from _keys(f"output[{index}]", a, b)
    usage: list[dict] = [r["usage"] if isinstance(r.get("usage"), dict) else {} for r in (streamed, plain)]
    yield from _keys("usage", usage[0], usage[1])


def _items(response: dict) -> list[dict]:
    output = response.get("output")
    return [i for i in output if isinstance(i, dict)] if isinstance(output, list) else []


def _keys(where: str, streamed: dict, plain: dict) -> Iterator[str]:
    only_streamed, only_plain = sorted(streamed.keys() - plain.keys()), sorted(plain.keys() - streamed.keys())
    if only_streamed:
        yield f"{where} has {', '.join(only_streamed)} only when streamed"
    if only_plain:
        yield f"{where} has {', '.join(only_plain)} only when plain"


def schema_error(value: Any, schema: dict) -> str | None:
    """The first error of `value` against a JSON Schema (with its JSON path), or None."""
    import jsonschema  # type: ignore[import-untyped]  # the live extra: only a probe reaches here

    try:
        validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        error = jsonschema.exceptions.best_match(validator_class(schema).iter_errors(value))
    except jsonschema.exceptions.SchemaError as exc:
        return f"the schema itself is invalid: {exc.message}"
    if error is None:
        return None
    return f"{error.json_path}: {error.message}"


def _clip(text: Any, limit: int = 120) -> str:
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "...")


Expectation = Has | ArgumentsValid | StructuredOutputValid | Ends | AgreesWithPlain


def misses(expectations: tuple[Expectation, ...], outcome: Outcome) -> list[Miss]:
    """The expectations a finished stream does not meet. An unexpected final status is the one
    finding when there is one: a failed response's missing items are not separate defects."""
    ends = [e for e in expectations if isinstance(e, Ends)]
    for expectation in ends:
        found = [Miss(expectation.code, message) for message in expectation.check(outcome)]
        if found:
            return found
    return [Miss(e.code, message) for e in expectations if not isinstance(e, Ends) for message in e.check(outcome)]


# `orvalidate rule P00N` prints the docstring of its check.
DOCS: dict[str, Callable | type] = {
    "P001": http_status,
    "P002": content_type,
    "P003": interrupted,
    "P004": timed_out,
    "P005": Has,
    "P006": ArgumentsValid,
    "P007": StructuredOutputValid,
    "P008": Ends,
    "P009": AgreesWithPlain,
}
