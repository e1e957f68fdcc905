"""The floor: split every capture of a folder into payloads and parse each with orjson."""

from __future__ import annotations

import sys

import orjson

from payloads import captures, payloads


def main(folder: str) -> None:
    parsed = failed = 0
    for path in captures(folder):
        for text in payloads(path):
            if text == b"[DONE]":
                continue
            try:
                orjson.loads(text)
                parsed += 1
            except orjson.JSONDecodeError:
                failed += 1
    print(f"{parsed} parsed, {failed} not JSON")


if __name__ == "__main__":
    main(sys.argv[1])
