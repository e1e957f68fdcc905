"""`orvalidate proxy --upstream URL`: a local proxy that checks an app's streams as they pass.

An app points its SDK's base URL here. Each request goes upstream unchanged (method, path
appended to the upstream URL's path, query, headers less the hop-by-hop ones and Host, body);
the answer comes back unchanged, chunk by chunk as it arrives, never buffered whole. A
`text/event-stream` answer to a `.../responses` call is also handed, chunk by chunk, to a
checker thread: the project's reader and engine (`ByteStreamValidator`) check it there, off
the event loop, and each finding is printed the moment it is known, prefixed with the
request's number and path. uvicorn serves, starlette streams the answer (and notices a client
that goes away), httpx talks to the upstream; all three are imported here only.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import json
import logging
import queue
import signal
import socket
import sys
import threading
import time
import zlib
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import httpx
import uvicorn
from starlette.responses import JSONResponse, StreamingResponse

from .. import codes
from ..config import Config
from ..engine import AUTO
from ..incremental import ByteStreamValidator
from ..model import Finding
from . import LiveError, reason
from .credentials import safe_url
from .expectations import interrupted

DEFAULT_LISTEN = "127.0.0.1:8787"
# RFC 9110 section 7.6.1: meaningful for one connection only, never forwarded; Host names the upstream.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)


class ProxyError(LiveError):
    """The proxy cannot start (a bad --listen or --upstream, a port in use): exit 2."""


class Address(NamedTuple):
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def parse_listen(text: str) -> Address:
    """`HOST:PORT` or `[IPv6]:PORT`; ProxyError with a one-line reason."""
    host, colon, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise ProxyError(f"--listen {text!r}: expected HOST:PORT, such as {DEFAULT_LISTEN}")
    return Address(host, int(port))


def check_upstream(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ProxyError(f"--upstream {safe_url(url)}: not a URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.host or parsed.query:
        raise ProxyError(f"--upstream {safe_url(url)}: expected http(s)://host[:port][/path], without a query")
    return url.rstrip("/")


# -- checking, in a thread of its own ---------------------------------------------------------


class _Decoder:
    """The body as the app's SDK reads it: `Content-Encoding` gzip or deflate undone, as httpx does."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        self.known = encoding in ("", "identity") or self._zlib is not None

    def decode(self, chunk: bytes) -> bytes:
        if self._zlib is None:
            return chunk
        try:
            return self._zlib.decompress(chunk)
        except zlib.error:
            if self.encoding == "deflate" and not self._zlib.unused_data:  # a raw deflate body, as some servers send
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._zlib.decompress(chunk)
            raise


class Stream:
    """One checked answer: made by the event loop, used by the checker thread only."""

    def __init__(self, number: int, method: str, path: str, encoding: str) -> None:
        self.number = number
        self.method = method
        self.path = path
        self.decoder = _Decoder(encoding)
        self.validator: ByteStreamValidator | None = None
        self.record: Any = None
        self.name = "<stream>"
        self.lines = 1  # line breaks seen + 1: where a cut stream ends
        self.found = 0
        self.off = False  # no longer checked (an unknown content-encoding, a failure of the check)


class Checker:
    """The checker thread: takes (stream, chunk) from a queue so the event loop never waits for
    a check, and prints each finding as it is known (stdout, text or JSON lines)."""

    _END = object()

    def __init__(
        self,
        profile: str,
        config: Config,
        record: Path | None,
        output_format: str,
        out: Callable[[str], None],
        log: Callable[[str], None],
    ) -> None:
        self.profile, self.config, self.record, self.output_format = profile, config, record, output_format
        self.out, self.log = out, log
        self.streams = 0
        self.counts = {"error": 0, "warning": 0}
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="orvalidate proxy checks", daemon=True)
        self._thread.start()

    # the event loop's side: never blocks
    def data(self, stream: Stream, chunk: bytes) -> None:
        self._queue.put((stream, chunk))

    def end(self, stream: Stream, problem: str | None = None, abandoned: bool = False) -> None:
        self._queue.put((stream, (self._END, problem, abandoned)))

    def stop(self) -> None:
        """Finish every check queued so far, then end the thread."""
        self._queue.put(None)
        self._thread.join()

    # the thread's side
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            stream, what = item
            try:
                if isinstance(what, tuple):
                    self._close(stream, *what[1:])
                elif not stream.off:
                    self._feed(stream, what)
            except Exception as exc:  # a stream the checker cannot follow must not stop the proxy
                self.log(
                    f"#{stream.number} {stream.method} {stream.path}: not checked further: {type(exc).__name__}: {exc}"
                )
                stream.off = True

    def _open(self, stream: Stream) -> None:
        self.streams += 1
        if self.record is not None:
            path = self.record / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{stream.number}.sse"
            stream.name = str(path)
            stream.record = open(path, "wb")  # noqa: SIM115  (closed in _close)
        stream.validator = ByteStreamValidator(
            stream.name, profile=self.profile, config=self.config, input_format="sse"
        )

    def _feed(self, stream: Stream, chunk: bytes) -> None:
        if stream.validator is None:
            if not stream.decoder.known:
                self.log(
                    f"#{stream.number} {stream.method} {stream.path}: not checked: content-encoding {stream.decoder.encoding!r}"
                )
                stream.off = True
                return
            self._open(stream)
        data = stream.decoder.decode(chunk)
        if stream.record is not None:
            stream.record.write(data)
        stream.lines += data.count(b"\n")
        self._print(stream, stream.validator.feed(data))  # type: ignore[union-attr]

    def _close(self, stream: Stream, problem: str | None, abandoned: bool) -> None:
        if stream.validator is None:
            if stream.off or not stream.decoder.known:
                return
            self._open(stream)  # an empty body is a stream too (F013)
        assert stream.validator is not None
        found = stream.validator.close()
        if stream.record is not None:
            stream.record.close()
        if abandoned:
            self.log(
                f"#{stream.number} {stream.method} {stream.path}: cut before its end (the client went away, or the proxy stopped); not checked to its end"
            )
            return
        self._print(stream, found)
        if problem is not None:
            level = self.config.level("P003", self._profile(stream), stream.name)
            if level is not None:
                self._print(
                    stream,
                    [
                        Finding(
                            stream.name, stream.lines, 1, "P003", codes.RULES["P003"].name, level, interrupted(problem)
                        )
                    ],
                )
        self.log(
            f"#{stream.number} {stream.method} {stream.path}: stream checked, {stream.found} finding{'s' if stream.found != 1 else ''}"
            + (f" ({stream.name})" if self.record is not None else "")
        )

    def _profile(self, stream: Stream) -> str:
        report = stream.validator.report if stream.validator is not None else None
        if report is not None and report.streams:
            return report.streams[0].profile
        return self.profile if self.profile != AUTO else "openai"

    def _print(self, stream: Stream, findings: list[Finding]) -> None:
        from ..reporters.text import escape, line

        for finding in findings:
            stream.found += 1
            self.counts[finding.severity] += 1
            if self.output_format == "json":
                record = {
                    "request": stream.number,
                    "method": stream.method,
                    "request_path": stream.path,
                    **finding._asdict(),
                }
                self.out(json.dumps(record, ensure_ascii=False))
            else:
                self.out(f"[#{stream.number} {stream.method} {escape(stream.path)}] {line(finding)}")


# -- the ASGI app -----------------------------------------------------------------------------


class _UpstreamBroke(Exception):
    """Raised out of the answer's body to drop the client's connection too: the client then sees
    a broken stream, as it would have without the proxy, not one that ended cleanly."""


class Proxy:
    """The ASGI app: forward, stream back, tee `text/event-stream` answers to `.../responses`."""

    def __init__(self, upstream: str, checker: Checker, log: Callable[[str], None]) -> None:
        self.upstream = upstream
        self.checker = checker
        self.log = log
        self.requests = 0
        self._numbers = itertools.count(1)
        self._client: httpx.AsyncClient | None = None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            # No timeout on reading: a model may think for minutes between two events.
            timeout = httpx.Timeout(connect=10.0, read=None, write=60.0, pool=None)
            self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False)
            self._client.headers.clear()  # httpx's own defaults (User-Agent, Accept-Encoding) would change the request
        return self._client

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets are not proxied: uvicorn refuses the handshake
        number = next(self._numbers)
        self.requests += 1
        method, path = scope["method"], scope["path"]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        target = self.upstream + scope.get("raw_path", path.encode()).decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k.decode("latin-1").lower() not in HOP_BY_HOP]
        client = self.client()
        try:
            upstream = await client.send(
                client.build_request(method, target, headers=headers, content=body), stream=True
            )
        except httpx.HTTPError as exc:
            why = reason(exc)
            self.log(f"#{number} {method} {path}: upstream unreachable: {why}; answered 502")
            error = {
                "error": {
                    "message": f"orvalidate proxy: the upstream cannot be reached: {why}",
                    "type": "upstream_unreachable",
                    "code": 502,
                }
            }
            await JSONResponse(error, status_code=502)(scope, receive, send)
            return
        media = upstream.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        stream = None
        if media == "text/event-stream" and path.rstrip("/").endswith("/responses"):
            stream = Stream(number, method, path, upstream.headers.get("content-encoding", "").strip().lower())
        response = StreamingResponse(
            self._relay(upstream, stream, number, method, path), status_code=upstream.status_code
        )
        response.raw_headers = [
            (k, v) for k, v in upstream.headers.raw if k.decode("latin-1").lower() not in HOP_BY_HOP
        ]
        await response(scope, receive, send)

    async def _relay(self, upstream: httpx.Response, stream: Stream | None, number: int, method: str, path: str) -> Any:
        """The answer's body as it arrives; each chunk goes to the client first, then to the checker."""
        ended = False
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
                if stream is not None:
                    self.checker.data(stream, chunk)
            ended = True
        except httpx.HTTPError as exc:
            ended = True
            why = reason(exc)
            self.log(f"#{number} {method} {path}: the upstream broke the answer off: {why}")
            if stream is not None:
                self.checker.end(stream, problem=why)
            raise _UpstreamBroke(why) from None
        finally:
            await upstream.aclose()
            if stream is not None and not ended:  # the client went away (or the proxy stops)
                self.checker.end(stream, abandoned=True)
        if stream is not None:
            self.checker.end(stream)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


class _QuietBreaks(logging.Filter):
    """uvicorn logs an app's exception with its traceback. A broken upstream is not a bug of the
    proxy and was said in one line already; a stream still open when the proxy stops is cut on
    purpose (uvicorn says how many in one line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], (_UpstreamBroke, asyncio.CancelledError)))


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Ctrl-C or SIGTERM stops serving (a second Ctrl-C stops waiting for open streams).
        uvicorn's own version raises the signal again once it has stopped; here the command
        goes on to print its summary and exit 0."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def bind(address: Address) -> socket.socket:
    try:
        infos = socket.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, where = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(where)
    except OSError as exc:
        raise ProxyError(
            f"cannot listen on {address.host}:{address.port}: {(exc.strerror or str(exc)).lower()}"
        ) from None
    return sock


def serve(
    upstream: str,
    listen: Address,
    record: Path | None,
    profile: str,
    config: Config,
    output_format: str = "text",
    out: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
    ready: Callable[[Address], None] | None = None,
    server_box: list | None = None,
) -> dict:
    """Serve until stopped (Ctrl-C, SIGTERM, or `server_box[0].should_exit = True` from another
    thread); the counts for the summary."""
    out = out or _printer(sys.stdout)
    log = log or _printer(sys.stderr)
    if record is not None:
        try:
            record.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProxyError(f"{record}: {exc.strerror or exc}") from None
    sock = bind(listen)
    bound = sock.getsockname()
    actual = Address(listen.host, bound[1])
    checker = Checker(profile, config, record, output_format, out, log)
    app = Proxy(upstream, checker, log)
    uv_config = uvicorn.Config(
        app,
        interface="asgi3",
        lifespan="on",
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        date_header=False,
        timeout_graceful_shutdown=3,
    )
    logging.getLogger("uvicorn.error").addFilter(_QuietBreaks())
    server = _Server(uv_config)
    if server_box is not None:
        server_box.append(server)
    if not actual.loopback:
        log(
            f"orvalidate: warning: listening on {actual.host}:{actual.port}, not a loopback address: anyone who can reach it can send requests through this proxy"
        )
    host = f"[{actual.host}]" if ":" in actual.host else actual.host
    log(f"orvalidate proxy: listening on http://{host}:{actual.port} -> {safe_url(upstream)}; Ctrl-C stops")
    if ready is not None:
        ready(actual)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # during start-up, before uvicorn's handlers were in place
        pass
    finally:
        checker.stop()
        sock.close()
    return {"requests": app.requests, "streams": checker.streams, **checker.counts}


def summary(counts: dict) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n != 1 else ''}"

    return (
        f"orvalidate proxy: {plural(counts['requests'], 'request')}, {plural(counts['streams'], 'stream')} checked, "
        f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}"
    )


def _printer(stream: Any) -> Callable[[str], None]:
    lock = threading.Lock()

    def write(text: str) -> None:
        with lock:
            try:
                stream.write(text + "\n")
                stream.flush()
            except (BrokenPipeError, ValueError):
                pass

    return write
