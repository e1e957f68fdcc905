"""The probe's scenario catalog: each scenario a request and what its answer must show.

A scenario is declared by a function that builds its request body for a model; its docstring
says what it tests (`orvalidate probe --list-scenarios` prints the first line). The first seven
are those of the Open Responses compliance suite (bin/compliance-test.ts), all streamed here;
the rest test what that suite does not: reasoning, structured output, parallel tool calls, a
small `max_output_tokens`, and the same request streamed and not. Every stream is also checked
by the whole engine, so the expectations below only add what the scenario itself asks for.
"""

from __future__ import annotations

import base64
import binascii
import inspect
import struct
import zlib
from typing import Callable, NamedTuple, TextIO

from .expectations import AgreesWithPlain, ArgumentsValid, Ends, Expectation, Has, StructuredOutputValid


class Scenario(NamedTuple):
    id: str
    doc: str
    build: Callable[[str], dict]  # model -> request body, without `stream`
    expect: tuple[Expectation, ...]
    plain_too: bool = False  # also send the request with `stream: false` (AgreesWithPlain)

    def request(self, model: str, stream: bool = True) -> dict:
        return {**self.build(model), "stream": stream}

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0]


CATALOG: dict[str, Scenario] = {}


def scenario(
    id: str, *expect: Expectation, plain_too: bool = False
) -> Callable[[Callable[[str], dict]], Callable[[str], dict]]:
    def declare(build: Callable[[str], dict]) -> Callable[[str], dict]:
        CATALOG[id] = Scenario(id, inspect.cleandoc(build.__doc__ or id), build, expect, plain_too)
        return build

    return declare


def _user(text: str) -> dict:
    return {"type": "message", "role": "user", "content": text}


WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a location",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The city and country, e.g. Paris, France"}},
        "required": ["location"],
        "additionalProperties": False,
    },
}

TIME_TOOL = {
    "type": "function",
    "name": "get_time",
    "description": "Get the current local time in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city, e.g. Tokyo"}},
        "required": ["city"],
        "additionalProperties": False,
    },
}

CITY_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "country": {"type": "string"},
        "population": {"type": "integer", "minimum": 0},
    },
    "required": ["city", "country", "population"],
    "additionalProperties": False,
}


def red_square_png(size: int = 16) -> bytes:
    """A small solid red PNG, made here so the image scenario needs no file and no network."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", binascii.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * size for _ in range(size))  # filter 0, RGB
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


COMPLETES = (Ends("completed"),)


@scenario("basic-response", Has(item="message"), *COMPLETES)
def basic_response(model: str) -> dict:
    """A short text answer to one user message: a `message` item, status `completed`."""
    return {"model": model, "input": [_user("Say hello in exactly 3 words.")]}


@scenario("streaming-response", Has(item="message"), Has(event="response.output_text.delta"), *COMPLETES)
def streaming_response(model: str) -> dict:
    """A text answer streamed as `response.output_text.delta` events."""
    return {"model": model, "input": [_user("Count from 1 to 5.")]}


@scenario("system-prompt", Has(item="message"), *COMPLETES)
def system_prompt(model: str) -> dict:
    """A system message before the user's: the answer is still a plain `message`."""
    return {
        "model": model,
        "input": [
            {"type": "message", "role": "system", "content": "You are a pirate. Always answer in pirate speak."},
            _user("Say hello."),
        ],
    }


@scenario("tool-calling", Has(item="function_call"), ArgumentsValid(), *COMPLETES)
def tool_calling(model: str) -> dict:
    """One function tool the question needs: a `function_call` whose arguments fit its parameters."""
    return {"model": model, "input": [_user("What's the weather like in Paris, France?")], "tools": [WEATHER_TOOL]}


@scenario(
    "tool-calling-streaming",
    Has(item="function_call"),
    Has(event="response.function_call_arguments.delta"),
    Has(event="response.function_call_arguments.done"),
    ArgumentsValid(),
    *COMPLETES,
)
def tool_calling_streaming(model: str) -> dict:
    """The tool call streamed: `function_call_arguments.delta` events, then `.done`."""
    return {
        "model": model,
        "input": [_user("Use the tool: what's the weather in San Francisco, USA?")],
        "tools": [WEATHER_TOOL],
        "tool_choice": "required",
    }


@scenario("image-input", Has(item="message"), *COMPLETES)
def image_input(model: str) -> dict:
    """An image (a data URL) in the user's content: a text answer about it."""
    image = "data:image/png;base64," + base64.b64encode(red_square_png()).decode("ascii")
    content = [
        {"type": "input_text", "text": "What colour is this image? Answer in one sentence."},
        {"type": "input_image", "image_url": image},
    ]
    return {"model": model, "input": [{"type": "message", "role": "user", "content": content}]}


@scenario("multi-turn", Has(item="message"), *COMPLETES)
def multi_turn(model: str) -> dict:
    """A conversation history (user, assistant, user) as input: a text answer."""
    return {
        "model": model,
        "input": [
            _user("My name is Alice."),
            {"type": "message", "role": "assistant", "content": "Hello Alice! How can I help you today?"},
            _user("What is my name?"),
        ],
    }


@scenario("reasoning", Has(item="reasoning"), Has(item="message"), *COMPLETES)
def reasoning(model: str) -> dict:
    """A reasoning request (`reasoning.effort`, summary `auto`): a `reasoning` item, then the answer."""
    return {
        "model": model,
        "input": [
            _user(
                "A bat and a ball cost 1.10 in total; the bat costs 1.00 more than the ball. What does the ball cost?"
            )
        ],
        "reasoning": {"effort": "low", "summary": "auto"},
    }


@scenario("structured-output", Has(item="message"), StructuredOutputValid(), *COMPLETES)
def structured_output(model: str) -> dict:
    """`text.format` of type `json_schema`: the answer's text parses and validates against the schema."""
    return {
        "model": model,
        "input": [_user("Give the largest city of France, its country and its population as JSON.")],
        "text": {"format": {"type": "json_schema", "name": "city", "schema": CITY_SCHEMA, "strict": True}},
    }


@scenario("parallel-tool-calls", Has(item="function_call", count=2), ArgumentsValid(), *COMPLETES)
def parallel_tool_calls(model: str) -> dict:
    """Two independent questions and two tools: two `function_call` items, each valid."""
    return {
        "model": model,
        "input": [_user("Call both tools: the weather in Paris, France and the local time in Tokyo.")],
        "tools": [WEATHER_TOOL, TIME_TOOL],
        "parallel_tool_calls": True,
        "tool_choice": "required",
    }


@scenario("max-output-tokens", Has(), Ends("incomplete", reason="max_output_tokens"))
def max_output_tokens(model: str) -> dict:
    """`max_output_tokens` 16 on a long answer: status `incomplete`, reason `max_output_tokens`."""
    return {
        "model": model,
        "input": [_user("Write a 500-word story about a lighthouse keeper.")],
        "max_output_tokens": 16,
    }


@scenario("stream-and-plain", Has(item="message"), *COMPLETES, AgreesWithPlain(), plain_too=True)
def stream_and_plain(model: str) -> dict:
    """The same request streamed and not: the final responses agree in shape."""
    return {"model": model, "input": [_user("Name the three primary colours of light.")]}


def list_scenarios(out: TextIO) -> None:
    """`orvalidate probe --list-scenarios`: each id with the first line of its docstring."""
    width = max(len(s) for s in CATALOG)
    for s in CATALOG.values():
        out.write(f"{s.id:<{width}}  {s.summary}\n")
