"""orvalidate inside a test suite: an assertion, an httpx transport that checks the streams a
client reads, and the pytest fixture built on it (registered by the pytest plugin).

    from orvalidate.testing import assert_valid_stream, validating_transport

    assert_valid_stream("tests/cassettes/test_stream.yaml")
    client = OpenAI(http_client=httpx.Client(transport=validating_transport()))

httpx is imported here only: `orvalidate capture.sse` never loads it.
"""

from __future__ import annotations

import io
import os
import zlib
from typing import Any, Callable, Iterable, Iterator

import httpx

from .api import CaptureError, check_file, check_stream, drain
from .config import Config, ConfigError, check_selector
from .engine import AUTO
from .incremental import ByteStreamValidator
from .model import Finding
from .reporters.text import line

__all__ = ["StreamFindings", "assert_valid_stream", "validating_transport", "ValidatingTransport"]

_FAILING = {"error": ("error",), "warning": ("error", "warning")}
_TERMINAL_STATUS = ("completed", "incomplete", "failed")


class StreamFindings(AssertionError):
    """Findings at the fail level in a stream a client read: the message lists them, one per
    line, as `orvalidate` prints them. An AssertionError, so pytest shows it as a failure."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(line(f) for f in findings))
        self.findings = findings


def _config(profile: str, select: Iterable[str] | None, ignore: Iterable[str] | None, fail_on: str) -> Config:
    if fail_on not in _FAILING:
        raise ValueError(f"fail_on: expected 'error' or 'warning', found {fail_on!r}")
    try:
        return Config(
            select=tuple(check_selector(s, "select") for s in select) if select is not None else None,
            ignore=tuple(check_selector(s, "ignore") for s in ignore or ()),
            profile=profile,
            fail_on=fail_on,
        )
    except ConfigError as exc:
        raise ValueError(str(exc)) from None


def failing(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether any finding reaches the fail level."""
    return any(f.severity in _FAILING[fail_on] for f in findings)


def assert_valid_stream(
    source: str | os.PathLike | bytes | bytearray | Iterable[dict],
    *,
    profile: str = AUTO,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    fail_on: str = "error",
) -> list[Finding]:
    """Check a capture and raise AssertionError listing its findings when one reaches
    `fail_on`. `source` is a path (a capture, cassette or HAR file), the bytes of an SSE or
    JSONL capture, or the events as dicts (the string "[DONE]" for the sentinel). Returns the
    findings below the fail level (warnings, by default)."""
    config = _config(profile, select, ignore, fail_on)
    findings: list[Finding]
    if isinstance(source, (str, os.PathLike)):
        try:
            findings = check_file(os.fspath(source), profile=profile, config=config).findings
        except CaptureError as exc:
            raise FileNotFoundError(str(exc)) from None
    elif isinstance(source, (bytes, bytearray, memoryview)):
        findings = drain(check_stream(io.BytesIO(bytes(source)), "<stream>", profile, config=config)).findings
    else:
        from .api import StreamValidator

        validator = StreamValidator(profile=profile, config=config)
        findings = [f for event in source for f in validator.feed(event)]
        findings = sorted(findings + validator.close(), key=Finding.sort_key)
    if failing(findings, fail_on):
        raise StreamFindings(findings)
    return findings


def _is_checked(request: httpx.Request, response: httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "")
    return request.url.path.endswith("/responses") and content_type.split(";")[0].strip().lower() == "text/event-stream"


class _Check:
    """One response's stream as it passes: its bytes (decompressed when the wire's were) go to
    a ByteStreamValidator; the client's bytes are never touched."""

    def __init__(self, name: str, encoding: str, transport: "ValidatingTransport") -> None:
        self._transport = transport
        self._validator = ByteStreamValidator(
            name, profile=transport.config.profile, config=transport.config, input_format="sse"
        )
        self._inflate = None
        if encoding in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflate = zlib.decompressobj()
        self._done = False
        self.findings: list[Finding] = []

    def feed(self, chunk: bytes) -> None:
        if self._done:
            return
        if self._inflate is not None:
            try:
                chunk = self._inflate.decompress(chunk)
            except zlib.error:
                self._done = True  # the client's decoder will say so
                self._validator.close()
                return
        self._take(self._validator.feed(chunk))

    def finish(self, complete: bool) -> None:
        """The stream ended (`complete`), or the client closed it first: then the checks
        only its end decides count if it had reached its terminal event."""
        if self._done:
            return
        self._done = True
        closing = self._validator.close()
        report = self._validator.report
        ended = complete or bool(report and report.streams and report.streams[-1].status in _TERMINAL_STATUS)
        self._take(closing if ended else [])
        self._transport._finished(self.findings)

    def _take(self, findings: list[Finding]) -> None:
        for finding in findings:
            self.findings.append(finding)
            if self._transport.on_finding is not None:
                self._transport.on_finding(finding)


class _SyncStream(httpx.SyncByteStream):
    def __init__(self, inner: Any, check: _Check) -> None:
        self._inner, self._check = inner, check

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._check.feed(chunk)
            yield chunk
        self._inner.close()  # whole: the connection goes back before the findings may raise
        self._check.finish(complete=True)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._check.finish(complete=False)


class _AsyncStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any, check: _Check) -> None:
        self._inner, self._check = inner, check

    async def __aiter__(self):  # type: ignore[override]
        async for chunk in self._inner:
            self._check.feed(chunk)
            yield chunk
        await self._inner.aclose()  # whole: the connection goes back before the findings may raise
        self._check.finish(complete=True)

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._check.finish(complete=False)


class ValidatingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport, for `httpx.Client` and `httpx.AsyncClient` alike, that checks every
    `text/event-stream` response to a path ending in `/responses` as the client reads it.

    Each chunk is passed on as it came, after the checker has read it: nothing is buffered
    and no byte changes. Without `on_finding`, findings at the fail level raise StreamFindings
    when the stream ends (after the client has had every byte); with it, each finding goes to
    `on_finding` as soon as it is known, and nothing raises. `findings` holds them all.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        *,
        on_finding: Callable[[Finding], None] | None = None,
        profile: str = AUTO,
        fail_on: str = "error",
        config: Config | None = None,
    ) -> None:
        self.inner = inner
        self.on_finding = on_finding
        self.config = (
            config
            if config is not None
            else Config(profile=profile, fail_on=_config(profile, None, None, fail_on).fail_on)
        )
        self.findings: list[Finding] = []
        self.streams = 0

    def _check_for(self, request: httpx.Request, response: httpx.Response) -> _Check | None:
        if not _is_checked(request, response):
            return None
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
            return None  # not readable here (br, zstd): left to the client
        self.streams += 1
        url = request.url
        return _Check(f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}{url.path}", encoding, self)

    def _finished(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)
        if self.on_finding is None and failing(findings, self.config.fail_on):
            raise StreamFindings(findings)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.inner is None:
            self.inner = httpx.HTTPTransport()
        response = self.inner.handle_request(request)  # type: ignore[union-attr]
        check = self._check_for(request, response)
        if check is not None:
            response.stream = _SyncStream(response.stream, check)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.inner is None:
            self.inner = httpx.AsyncHTTPTransport()
        response = await self.inner.handle_async_request(request)  # type: ignore[union-attr]
        check = self._check_for(request, response)
        if check is not None:
            response.stream = _AsyncStream(response.stream, check)
        return response

    def close(self) -> None:
        if isinstance(self.inner, httpx.BaseTransport):
            self.inner.close()

    async def aclose(self) -> None:
        if isinstance(self.inner, httpx.AsyncBaseTransport):
            await self.inner.aclose()


def validating_transport(
    inner: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    *,
    on_finding: Callable[[Finding], None] | None = None,
    profile: str = AUTO,
    fail_on: str = "error",
) -> ValidatingTransport:
    """A transport for `httpx.Client(transport=...)` or `httpx.AsyncClient(transport=...)` that
    checks every Responses stream the client reads (see ValidatingTransport). `inner` is the
    transport it wraps (default: httpx's own)."""
    return ValidatingTransport(inner, on_finding=on_finding, profile=profile, fail_on=fail_on)
