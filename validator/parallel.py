"""Files checked in forked processes, the parent one of them (`--jobs N` on Linux).

ProcessPoolExecutor runs N workers beside a parent that only waits: on two cores the parent's
collecting thread competes with both, importing it costs more than a small capture's check, and a
folder of small captures is done before that pays back. Here the parent checks files too, beside N - 1 forked children.
They share the work through a pipe of chunk numbers written before the fork (a read of 4 bytes
takes one whole number), so whoever is free takes the next chunk, and a child sends each result
back as a pickle, framed by its length. The parent reads what has come between its own chunks,
without waiting, and all the rest at the end. A thread reading as results came was measurably
slower: each wake-up took the GIL from the checking thread, on a core a child was using.
The results pipes are made as large as the system lets a process (1 MiB on Linux), so a child
waits for a parent busy with a long capture only once that much is waiting.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import traceback
from typing import Callable, Iterator, TypeVar

R = TypeVar("R")

_TOKEN = struct.Struct("<I")
_FRAME = struct.Struct("<Q")
_TOKENS = 1024  # chunk numbers in the pipe: 4 KiB, which a pipe always holds without blocking

CAN_FORK = sys.platform.startswith("linux") and hasattr(os, "fork")


class WorkerLost(Exception):
    """A child ended before sending all it took (killed, out of memory)."""


def checked(items: list[str], check: Callable[[str], R], jobs: int, lost: Callable[[str, str], R]) -> Iterator[R]:
    """`check(item)` for every item, in their order, computed by this process and `jobs - 1`
    forked children. An item a child took but never answered for (the child was killed) gets
    `lost(item, why)`. A child's exception is raised here, with its traceback."""
    size = -(-len(items) // _TOKENS)  # items per chunk: 1 up to 1024 items
    tokens_r, tokens_w = os.pipe()
    os.write(tokens_w, b"".join(_TOKEN.pack(k) for k in range(-(-len(items) // size))))
    os.close(tokens_w)  # empty pipe then reads as its end: no chunk left
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # a child must not inherit text waiting to be written
    children: dict[int, int] = {}  # pid -> read end of its results
    inboxes: list[_Inbox] = []
    try:
        for _ in range(jobs - 1):
            results_r, results_w = os.pipe()
            _enlarge(results_w)
            try:
                pid = os.fork()
            except OSError:  # no more processes now (a limit, no memory): fewer take the chunks
                os.close(results_r)
                os.close(results_w)
                break
            if pid == 0:  # the child: never returns
                os.close(results_r)
                _child(items, check, size, tokens_r, results_w)
            os.close(results_w)
            children[pid] = results_r
        inboxes = [_Inbox(fd) for fd in children.values()]
        done: dict[int, R] = {}
        answered = 0  # items yielded, in order
        for chunk in _chunks(tokens_r, size, len(items)):
            for i in chunk:
                done[i] = check(items[i])
            for inbox in inboxes:
                inbox.take(done)
            while answered in done:
                yield done.pop(answered)
                answered += 1
        while not all(inbox.ended for inbox in inboxes):
            _wait_for(inboxes)
            for inbox in inboxes:
                inbox.take(done)
            while answered in done:
                yield done.pop(answered)
                answered += 1
        why = _reap(children)
        children = {}
        for i in range(answered, len(items)):
            yield done.pop(i) if i in done else lost(items[i], why or "the process checking it ended early")
    finally:
        os.close(tokens_r)
        read = {inbox.fd for inbox in inboxes if inbox.ended}
        for fd in children.values():
            if fd not in read:
                os.close(fd)
        for pid in children:  # left early: Ctrl-C, an error, or the consumer stopped
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap(children)


def _child(items: list[str], check: Callable, size: int, tokens: int, out: int) -> None:
    """A forked child: check the chunks it reads from `tokens`, send (index, result) to `out`,
    and end without running anything of the parent's (no atexit, no buffered output)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, lambda *_: os._exit(130))  # the parent says 130
        for chunk in _chunks(tokens, size, len(items)):
            for i in chunk:
                _send(out, (i, check(items[i]), None))
    except BaseException:  # noqa: B036 - anything: the parent raises it with this text
        code = 1
        try:
            _send(out, (-1, None, traceback.format_exc()))
        except BaseException:  # noqa: B036 - the parent is gone
            pass
    os._exit(code)


def _chunks(tokens: int, size: int, count: int) -> Iterator[range]:
    """The indexes of each chunk this process takes from the pipe, until none is left."""
    while True:
        token = os.read(tokens, _TOKEN.size)
        if not token:
            return
        start = _TOKEN.unpack(token)[0] * size
        yield range(start, min(start + size, count))


def _send(fd: int, frame: tuple) -> None:
    blob = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_FRAME.pack(len(blob)) + blob)
    while view:
        view = view[os.write(fd, view) :]


def _enlarge(fd: int) -> None:
    """Make a results pipe as large as this process may (see the module's docstring)."""
    try:
        import fcntl

        with open("/proc/sys/fs/pipe-max-size", "rb") as limit:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, int(limit.read()))
    except (ImportError, AttributeError, OSError, ValueError):  # the default 64 KiB, then
        pass


class _Inbox:
    """One child's results pipe, read without waiting: the frames that have fully come go to
    `done`, a frame begun waits in `pending`."""

    def __init__(self, fd: int) -> None:
        os.set_blocking(fd, False)
        self.fd = fd
        self.pending = bytearray()
        self.ended = False

    def take(self, done: dict) -> None:
        while not self.ended:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                self.ended = True
                os.close(self.fd)
            self.pending += data
        at, pending = 0, self.pending
        while len(pending) - at >= _FRAME.size:
            (length,) = _FRAME.unpack_from(pending, at)
            if len(pending) - at - _FRAME.size < length:
                break
            _take(bytes(pending[at + _FRAME.size : at + _FRAME.size + length]), done)
            at += _FRAME.size + length
        del pending[:at]


def _wait_for(inboxes: list[_Inbox]) -> None:
    """Until one of the children still sending has something to read, or has ended (poll, not
    select: --jobs may open pipes past select's 1024 descriptors)."""
    import select

    waiting = select.poll()
    for inbox in inboxes:
        if not inbox.ended:
            waiting.register(inbox.fd, select.POLLIN)
    waiting.poll()


def _take(frame: bytes, done: dict) -> None:
    """Keep a child's result, or raise its failure here."""
    index, result, failure = pickle.loads(frame)
    if failure is not None:
        raise RuntimeError(f"a worker process failed:\n{failure}")
    done[index] = result


def _reap(children: dict[int, int]) -> str | None:
    """Wait for the children; why one of them ended abnormally, if one did."""
    why = None
    for pid in children:
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            why = f"the process checking it was killed by signal {os.WTERMSIG(status)}"
        elif os.WEXITSTATUS(status) != 0:
            why = f"the process checking it exited with status {os.WEXITSTATUS(status)}"
    return why
