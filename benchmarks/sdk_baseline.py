"""What a Python user picks today: the openai SDK validates every event with its pydantic
union and feeds it to ResponseStreamState, the SDK's own stream accumulator."""

from __future__ import annotations

import sys

import orjson
import pydantic
from openai._types import omit
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.responses import ResponseStreamEvent

from payloads import captures, payloads


def main(folder: str) -> None:
    adapter = pydantic.TypeAdapter(ResponseStreamEvent)
    valid = invalid = refused = 0
    for path in captures(folder):
        state = ResponseStreamState(input_tools=omit, text_format=omit)
        for text in payloads(path):
            if text == b"[DONE]":
                continue
            try:
                event = adapter.validate_python(orjson.loads(text))
                valid += 1
            except (orjson.JSONDecodeError, pydantic.ValidationError):
                invalid += 1
                continue
            try:
                state.handle_event(event)
            except Exception:  # the accumulator stops a real stream at its first error
                refused += 1
                if event.type == "response.created":
                    continue
                state = ResponseStreamState(input_tools=omit, text_format=omit)
    print(f"{valid} valid, {invalid} rejected by pydantic, {refused} refused by the accumulator")


if __name__ == "__main__":
    main(sys.argv[1])
