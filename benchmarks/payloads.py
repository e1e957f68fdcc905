"""The floor's and the SDK baseline's way into a capture: split it into event payloads.

Deliberately minimal (no locations, no framing checks): this is the cost that any checker
must pay, which orvalidate's throughput is measured against.
"""

from __future__ import annotations

import os
import sys
from typing import Iterator

EXTENSIONS = (".sse", ".jsonl", ".ndjson")


def captures(folder: str) -> list[str]:
    found = []
    for root, _, files in os.walk(folder):
        found.extend(os.path.join(root, f) for f in files if f.endswith(EXTENSIONS))
    return sorted(found)


def payloads(path: str) -> Iterator[bytes]:
    """Each event's JSON text: joined `data:` lines of a block (SSE) or one line (JSONL)."""
    with open(path, "rb") as f:
        if path.endswith(".sse"):
            data: list[bytes] = []
            for line in f:
                line = line.rstrip(b"\r\n")
                if not line:
                    if data:
                        yield b"\n".join(data)
                        data = []
                elif line.startswith(b"data:"):
                    data.append(line[6:] if line[5:6] == b" " else line[5:])
            if data:
                yield b"\n".join(data)
        else:
            for line in f:
                if line.strip():
                    yield line


if __name__ == "__main__":
    print(sum(1 for p in captures(sys.argv[1]) for _ in payloads(p)))
