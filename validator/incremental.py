"""Check a capture whose bytes arrive in pieces: a proxied, probed or SDK-read stream.

The reader pulls bytes from a file object; a live stream pushes them. `ByteStreamValidator`
runs the same `check_stream` in a thread that reads from an inbox, and each `feed(chunk)`
waits until that thread has used every byte it was given and is waiting for more, so the
findings it returns are all those the bytes so far decide. A stream fed whole or in single
bytes gives the same findings as the file on disk.
"""

from __future__ import annotations

import threading
from collections import deque

from .api import FileReport, check_stream, drain
from .model import Finding


class _Inbox:
    """A binary file object fed by `put`; `read` waits for the next piece or the end."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._pieces: deque[bytes] = deque()
        self._ended = False
        self.waiting = False  # the reader has used every piece and asks for more
        self.finished = False  # the check ran to its end (or failed)

    def read(self, size: int = -1) -> bytes:
        with self._changed:
            while not self._pieces and not self._ended:
                self.waiting = True
                self._changed.notify_all()
                self._changed.wait()
            self.waiting = False
            if not self._pieces:
                return b""
            piece = self._pieces.popleft()
            if 0 <= size < len(piece):
                self._pieces.appendleft(piece[size:])
                piece = piece[:size]
            return piece

    read1 = read

    def put(self, piece: bytes | None) -> None:
        """Hand over a piece (None: the end) and wait until the reader has used it all."""
        with self._changed:
            if piece is None:
                self._ended = True
            elif piece:
                self._pieces.append(piece)
            else:
                return
            self.waiting = False
            self._changed.notify_all()
            while not self.finished and not (self.waiting and not self._pieces):
                self._changed.wait()

    def finish(self) -> None:
        with self._changed:
            self.finished = True
            self._changed.notify_all()


class ByteStreamValidator:
    """`feed(chunk)` the bytes of one capture as they arrive, then `close()`.

    Each call returns the findings it newly knows; `report` is the FileReport after `close`.
    Options are those of `check_stream` (profile, input_format, strict, starting_after,
    config); without `input_format`, the name's extension or the first bytes decide.
    """

    def __init__(self, name: str = "<stream>", **options) -> None:
        self.report: FileReport | None = None
        self._inbox = _Inbox()
        self._new: list[Finding] = []
        self._failure: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, args=(name, options), name=f"orvalidate {name}", daemon=True)
        self._thread.start()

    def _run(self, name: str, options: dict) -> None:
        try:
            self.report = drain(check_stream(self._inbox, name, **options), self._found)  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the feeding thread, which raises it
            self._failure = exc
        finally:
            self._inbox.finish()

    def _found(self, finding: Finding) -> None:
        self._new.append(finding)

    def _taken(self) -> list[Finding]:
        if self._failure is not None:
            raise self._failure
        new, self._new = self._new, []
        return new

    def feed(self, chunk: bytes) -> list[Finding]:
        """Check the next bytes; the findings they decide."""
        if self._closed:
            raise ValueError("feed() after close()")
        self._inbox.put(bytes(chunk))
        return self._taken()

    def close(self) -> list[Finding]:
        """End of the stream: the findings only its end decides (missing .done, terminal...)."""
        if self._closed:
            return []
        self._closed = True
        self._inbox.put(None)
        self._thread.join()
        return self._taken()
