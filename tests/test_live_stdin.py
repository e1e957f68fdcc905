"""`curl -N ... | orvalidate -`: each finding is printed as soon as the bytes that decide it
arrive, not when the input ends. A writer sends a capture and keeps the pipe open until it
has read the finding; without live reading it would wait forever, so a generous timeout is the
failure (no wall-clock threshold)."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys

import pytest

from conftest import FIXTURES

D004 = FIXTURES / "invalid" / "D004-text-done-differs-from-deltas.sse"  # D004 on line 31, under every profile
WAIT = 120  # seconds: only a broken build waits this long


def first_line_while_open(capture: bytes, *args: str) -> tuple[str, str]:
    """(the first line orvalidate prints, what it prints after stdin closes), the capture
    written to its stdin and the pipe kept open until that first line came."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "CI")}
    process = subprocess.Popen(
        [sys.executable, "-m", "orvalidate", "--isolated", "--format", "text", *args, "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(capture)
        process.stdin.flush()
        with selectors.DefaultSelector() as waiting:
            waiting.register(process.stdout, selectors.EVENT_READ)
            if not waiting.select(timeout=WAIT):
                pytest.fail(f"no finding within {WAIT} s while the pipe stayed open: it waits for the end of input")
            first = process.stdout.readline().decode()
    finally:
        process.stdin.close()
    rest = process.stdout.read()
    process.wait(timeout=WAIT)
    process.stdout.close()
    process.stderr.close()  # type: ignore[union-attr]
    return first, rest.decode()


@pytest.mark.parametrize("args", [(), ("--profile", "openai"), ("--profile", "openrouter")])
def test_a_finding_is_printed_before_the_input_ends(args: tuple[str, ...]) -> None:
    """Under `auto` too: D004 is a warning under both profiles it may still decide between."""
    first, rest = first_line_while_open(D004.read_bytes(), *args)
    assert first.startswith("-:31:1: D004 [warning] "), first
    assert "D004" not in rest  # printed once; under openrouter F010 (no `[DONE]`) follows at the end


def test_the_reader_takes_what_a_pipe_has_delivered() -> None:
    """reader.read on a pipe: the first event is read while the writer has sent only it."""
    import threading

    from orvalidate.model import Event
    from orvalidate.reader import read

    first_block = D004.read_bytes().split(b"\n\n", 1)[0] + b"\n\n"
    out, into = os.pipe()
    got: list = []

    def first_record() -> None:
        fmt, records = read(stream, "-")  # sniffing the format must not wait for more either
        got.append((fmt, next(records)))

    with os.fdopen(out, "rb") as stream, os.fdopen(into, "wb") as writer:
        writer.write(first_block)
        writer.flush()
        reading = threading.Thread(target=first_record, daemon=True)
        reading.start()
        reading.join(WAIT)
        arrived = list(got)
        writer.close()  # a reader still waiting for a full chunk gets the end of input now
        reading.join(WAIT)
    assert arrived, f"the reader waited {WAIT} s for more than the pipe had delivered"
    ((fmt, record),) = arrived
    assert (fmt, type(record), record.type) == ("sse", Event, "response.created")
