"""`orvalidate probe BASE_URL`: run the scenario catalog against `POST {BASE_URL}/responses`.

Each scenario's request is streamed; its bytes go, as they arrive, to the project's reader and
engine (`ByteStreamValidator`), so a probed stream gets the findings its recording would
(`--record DIR` keeps it byte for byte). Then the scenario's own expectations (P codes,
expectations.py) are checked on the events and the final response. Scenarios run one after
another, each bounded by `--timeout`. httpx is imported here only: this module is the
command's, never the file checker's.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable, NamedTuple, TextIO

import httpx

from .. import codes
from ..api import FileReport, Report
from ..config import Config
from ..engine import AUTO
from ..incremental import ByteStreamValidator
from ..model import Event, Finding, Span
from ..reader import one_by_one, read
from ..state import TERMINAL
from . import expectations as expect
from . import LiveError, reason
from .credentials import safe_url, without_credentials
from .scenarios import CATALOG, Scenario

API_KEY_VARIABLES = ("ORVALIDATE_API_KEY", "OPENROUTER_API_KEY", "OPENAI_API_KEY")
ERROR_BODY_BYTES = 64 * 1024  # of a non-200 answer: enough for any JSON error
SNIFF_BYTES = 16  # of a body served with the wrong content type, to see whether it is SSE anyway
SSE_STARTS = (b"event:", b"data:", b":", b"id:", b"retry:")


class ProbeError(LiveError):
    """The probe cannot run at all (a server that cannot be reached, a bad URL): exit 2."""


class Settings(NamedTuple):
    base_url: str
    model: str
    headers: list[tuple[str, str]]  # sent with every request (the API key's Authorization included)
    timeout: float  # seconds per scenario
    record: Path | None
    profile: str
    config: Config


class Result(NamedTuple):
    scenario: Scenario
    report: FileReport
    seconds: float


def api_key(given: str | None) -> str | None:
    """--api-key, else the first of ORVALIDATE_API_KEY, OPENROUTER_API_KEY, OPENAI_API_KEY set."""
    if given:
        return given
    return next((os.environ[v] for v in API_KEY_VARIABLES if os.environ.get(v)), None)


def parse_header(text: str) -> tuple[str, str]:
    """`Name: value` -> (name, value); ProbeError with a one-line reason."""
    name, colon, value = text.partition(":")
    if not colon or not name.strip() or any(c in name.strip() for c in " \t"):
        raise ProbeError(f"--header {text!r}: expected 'Name: value'")
    return name.strip(), value.strip()


def request_headers(key: str | None, given: tuple[str, ...]) -> list[tuple[str, str]]:
    """The headers every request carries: `Authorization: Bearer KEY` (unless a --header sets
    Authorization itself), then the --header ones."""
    headers = [parse_header(text) for text in given]
    key = api_key(key)
    if key and not any(name.lower() == "authorization" for name, _ in headers):
        headers.insert(0, ("Authorization", f"Bearer {key}"))
    return headers


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; ProbeError unless it is http(s)://host[...]."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ProbeError(f"{safe_url(base_url)}: not a URL ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ProbeError(f"{safe_url(base_url)}: expected an http:// or https:// URL with a host")
    return base_url.rstrip("/")


class _Received:
    """One scenario's body as it arrives: fed to the engine, kept for the expectations, recorded."""

    def __init__(
        self, name: str, settings: Settings, record: Path | None, on_finding: Callable[[Finding], None]
    ) -> None:
        self.name = name
        self.settings = settings
        self.record_path = record
        self.on_finding = on_finding
        self.body = bytearray()
        self.findings: list[Finding] = []
        self.validator: ByteStreamValidator | None = None
        self._record: io.BufferedWriter | None = None
        self.head: bytes | None = None  # bytes held back while sniffing a wrongly typed body
        self.refused = False  # the body is not a stream: only P002 is said about it

    def start(self, sniff: bool) -> None:
        self.head = b"" if sniff else None
        if not sniff:
            self._open()

    def _open(self) -> None:
        s = self.settings
        self.validator = ByteStreamValidator(self.name, profile=s.profile, config=s.config, input_format="sse")
        if self.record_path is not None:
            self._record = open(self.record_path, "wb")  # noqa: SIM115  (closed in close())

    def feed(self, chunk: bytes) -> None:
        if self.refused or not chunk:
            return
        if self.head is not None:  # served with another content type: SSE anyway?
            self.head += chunk
            start = self.head.lstrip(b"\xef\xbb\xbf \t\r\n")
            if len(start) < SNIFF_BYTES and not start.startswith(SSE_STARTS):
                return
            chunk, self.head = self.head, None
            if not start.startswith(SSE_STARTS):
                self.refused = True
                return
            self._open()
        self.body += chunk
        if self._record is not None:
            self._record.write(chunk)
            self._record.flush()
        self._found(self.validator.feed(chunk))  # type: ignore[union-attr]

    def _found(self, findings: list[Finding]) -> None:
        for finding in findings:
            self.findings.append(finding)
            self.on_finding(finding)

    def close(self) -> None:
        if self.head:  # ended while still sniffing: a short body, checked if it is SSE
            head, self.head = self.head, None
            if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(SSE_STARTS):
                self._open()
                self.feed(head)
            else:
                self.refused = True
        if self.validator is not None:
            self._found(self.validator.close())
        if self._record is not None:
            self._record.close()
            self._record = None

    @property
    def end(self) -> Span:
        """Where the received bytes end: for a finding about a cut or stalled stream."""
        return Span(self.name, self.body.count(b"\n") + 1, 1)

    @property
    def profile(self) -> str:
        report = self.validator.report if self.validator is not None else None
        if report is not None and report.streams:
            return report.streams[0].profile
        return self.settings.profile if self.settings.profile != AUTO else "openai"


async def _run(
    settings: Settings, chosen: list[Scenario], on_finding: Callable[[Finding], None], on_done: Callable[[Result], None]
) -> list[Result]:
    results = []
    timeout = httpx.Timeout(connect=min(10.0, settings.timeout), read=None, write=None, pool=None)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for scenario in chosen:
            result = await _scenario(client, settings, scenario, on_finding)
            on_done(result)
            results.append(result)
    return results


async def _scenario(
    client: httpx.AsyncClient, settings: Settings, scenario: Scenario, on_finding: Callable[[Finding], None]
) -> Result:
    started = time.monotonic()
    record = settings.record / f"{scenario.id}.sse" if settings.record is not None else None
    name = str(record) if record is not None else scenario.id
    received = _Received(name, settings, record, on_finding)
    problems: list[tuple[str, str, Span, Event | None]] = []  # P findings: code, message, where, about which event
    state: dict = {}
    try:
        await asyncio.wait_for(_exchange(client, settings, scenario, received, problems, state), settings.timeout)
    except asyncio.TimeoutError:
        problems.append(("P004", expect.timed_out(settings.timeout, len(received.body)), received.end, None))
        state["plain_skipped"] = True  # the plain answer, if it was still awaited, is P004's too
    finally:
        received.close()
    events = _events(received)
    terminal = next(
        (e for e in reversed(events) if e.type in TERMINAL and isinstance((e.payload or {}).get("response"), dict)),
        None,
    )
    if terminal is not None and not received.refused and "status" not in state:
        outcome = expect.Outcome(
            request=scenario.request(settings.model),
            events=events,
            final=terminal.payload["response"],  # type: ignore[index]
            terminal=terminal.span,
            plain=state.get("plain"),
            plain_error=state.get("plain_error"),
        )
        wanted = tuple(
            e for e in scenario.expect if not (isinstance(e, expect.AgreesWithPlain) and state.get("plain_skipped"))
        )
        problems += [(miss.code, miss.message, terminal.span, terminal) for miss in expect.misses(wanted, outcome)]
    own = []
    for code, message, span, at in problems:
        finding = _finding(code, message, span, received, at, settings.config)
        if finding is not None:
            own.append(finding)
            on_finding(finding)
    streams = received.validator.report.streams if received.validator is not None and received.validator.report else []
    findings = sorted(received.findings + own, key=Finding.sort_key)
    return Result(scenario, FileReport(name, "sse", streams, findings), time.monotonic() - started)


async def _exchange(
    client: httpx.AsyncClient, settings: Settings, scenario: Scenario, received: _Received, problems: list, state: dict
) -> None:
    """Send the streamed request and feed its body; then, for a scenario that wants it, the plain one."""
    url = f"{settings.base_url}/responses"
    body = scenario.request(settings.model)
    request = client.build_request("POST", url, json=body, headers=[*settings.headers, ("Accept", "text/event-stream")])
    if settings.record is not None:
        _write_request(settings.record / f"{scenario.id}.request.json", request, body)
    response = await _send(client, request, settings)
    try:
        if response.status_code != 200:
            state["status"] = response.status_code
            text = await _read_some(response, ERROR_BODY_BYTES)
            problems.append(("P001", expect.http_status(response.status_code, text), Span(received.name, 1, 1), None))
            return
        wrong_type = expect.content_type(response.headers.get("content-type"))
        if wrong_type:
            problems.append(("P002", wrong_type, Span(received.name, 1, 1), None))
        received.start(sniff=bool(wrong_type))
        try:
            async for chunk in response.aiter_bytes():
                received.feed(chunk)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
            problems.append(("P003", expect.interrupted(reason(exc)), received.end, None))
            return
    finally:
        await response.aclose()
    if scenario.plain_too:
        await _plain(client, settings, scenario, url, received.name, problems, state)


async def _plain(
    client: httpx.AsyncClient, settings: Settings, scenario: Scenario, url: str, name: str, problems: list, state: dict
) -> None:
    body = scenario.request(settings.model, stream=False)
    request = client.build_request("POST", url, json=body, headers=settings.headers)
    response = await _send(client, request, settings)
    try:
        data = await _read_some(response, 64 * 1024 * 1024)
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
        state["plain_error"] = f"the connection broke: {reason(exc)}"
        return
    finally:
        await response.aclose()
    if settings.record is not None:
        (settings.record / f"{scenario.id}.plain.json").write_bytes(data)
    if response.status_code != 200:
        state["plain_skipped"] = True
        problems.append(
            (
                "P001",
                f"the plain (stream: false) request: {expect.http_status(response.status_code, data)}",
                Span(name, 1, 1),
                None,
            )
        )
        return
    try:
        state["plain"] = json.loads(data)
    except ValueError as exc:
        state["plain_error"] = f"not JSON ({exc})"


async def _send(client: httpx.AsyncClient, request: httpx.Request, settings: Settings) -> httpx.Response:
    try:
        return await client.send(request, stream=True)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise ProbeError(f"cannot reach {safe_url(settings.base_url)}: {reason(exc)}") from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise ProbeError(
            f"{safe_url(settings.base_url)}: the server closed the connection without an answer: {reason(exc)}"
        ) from None
    except httpx.UnsupportedProtocol as exc:
        raise ProbeError(f"{safe_url(settings.base_url)}: {exc}") from None


async def _read_some(response: httpx.Response, limit: int) -> bytes:
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= limit:
            break
    return bytes(data[:limit])


def _write_request(path: Path, request: httpx.Request, body: dict) -> None:
    """The request as sent, less every credential header, to replay or file with a bug report."""
    document = {
        "method": request.method,
        "url": safe_url(str(request.url)),
        "headers": without_credentials(request.headers.items()),
        "body": body,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _events(received: _Received) -> list[Event]:
    """The stream's events as the project's reader reads them (for the expectations)."""
    if received.validator is None or not received.body:
        return []
    _, records = read(io.BytesIO(bytes(received.body)), received.name, "sse")
    return [r for r in one_by_one(records) if isinstance(r, Event)]  # a Batch: its events


def _finding(
    code: str, message: str, span: Span, received: _Received, at: Event | None, config: Config
) -> Finding | None:
    level = config.level(code, received.profile, received.name)
    if level is None:
        return None
    payload = at.payload if at is not None and at.payload is not None else {}
    sequence = payload.get("sequence_number")
    return Finding(
        span.path,
        span.line,
        span.column,
        code,
        codes.RULES[code].name,
        level,
        message,
        stream=0 if at is not None else None,
        sequence_number=sequence if type(sequence) is int else None,
        event_type=at.type if at is not None else None,
    )


# -- the command ------------------------------------------------------------------------------


def choose(ids: tuple[str, ...]) -> list[Scenario]:
    """The scenarios named (in catalog order), or all; ProbeError for an unknown id."""
    unknown = [i for i in ids if i not in CATALOG]
    if unknown:
        raise ProbeError(f"unknown scenario {unknown[0]!r}; `orvalidate probe --list-scenarios` lists them")
    return [s for s in CATALOG.values() if not ids or s.id in ids]


def failing(report: FileReport, fail_on: str) -> bool:
    levels = ("error",) if fail_on == "error" else ("error", "warning")
    return any(f.severity in levels for f in report.findings)


def main(base_url: str, config: Config, color: bool, flags: dict) -> int:
    """`orvalidate probe` once the command line is read: the exit code (ProbeError: exit 2)."""
    settings = Settings(
        base_url=check_base_url(base_url),
        model=flags["model"],
        headers=request_headers(flags["api_key"], flags["headers"]),
        timeout=flags["timeout"],
        record=Path(flags["record"]) if flags["record"] else None,
        profile=config.profile,
        config=config,
    )
    output_format = flags["output_format"] or config.format or "text"
    return run(
        settings, choose(flags["scenarios"]), output_format, flags["output_file"], color and output_format == "text"
    )


def run(
    settings: Settings, chosen: list[Scenario], output_format: str, output_file: str | None, color: bool = False
) -> int:
    """Run the scenarios and report; the exit code (0 passed, 1 findings at the fail level).
    Text findings are printed as they are known; other formats are written at the end."""
    from ..reporters import REPORTERS
    from ..reporters.text import line, summary

    live = output_format == "text" and output_file is None
    echo: Callable[[Finding], None] = (lambda f: print(line(f, color), flush=True)) if live else (lambda f: None)

    def verdict(result: Result) -> None:
        events = sum(s.events for s in result.report.streams)
        state = "FAIL" if failing(result.report, settings.config.fail_on) else "pass"
        count = len(result.report.findings)
        detail = f"{count} finding{'s' if count != 1 else ''}, " if count else ""
        print(
            f"{result.scenario.id}: {state} ({detail}{events} events, {result.seconds:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    if settings.record is not None:
        try:
            settings.record.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProbeError(f"{settings.record}: {exc.strerror or exc}") from None
    results = asyncio.run(_run(settings, chosen, echo, verdict))
    report = Report([r.report for r in results])
    if output_format == "junit":
        _write(lambda out: write_junit(results, settings, out), output_file)
    elif output_format == "text":
        if output_file:
            _write(lambda out: out.writelines(line(f) + "\n" for f in report.findings), output_file)
    else:
        _write(lambda out: REPORTERS[output_format](report, out), output_file)
    passed = sum(1 for r in results if not failing(r.report, settings.config.fail_on))
    print(f"{passed} of {len(results)} scenarios passed; {summary(report)}", file=sys.stderr)
    return 0 if passed == len(results) else 1


def _write(write: Callable[[TextIO], None], output_file: str | None) -> None:
    if not output_file:
        write(sys.stdout)
        return
    try:
        with open(output_file, "w", encoding="utf-8", errors="backslashreplace") as out:
            write(out)
    except OSError as exc:
        raise ProbeError(f"{output_file}: {exc.strerror or exc}") from None


def write_junit(results: list[Result], settings: Settings, out: TextIO) -> None:
    """One testsuite for the probe, one testcase per scenario (named by its id), a failure per
    finding at the fail level and the scenario's docstring as its description."""
    from xml.etree import ElementTree as ET

    from ..reporters.text import escape

    suite_name = f"orvalidate probe {safe_url(settings.base_url)} ({settings.model})"
    root = ET.Element("testsuites", name="orvalidate probe")
    suite = ET.SubElement(root, "testsuite", name=escape(suite_name), tests=str(len(results)), errors="0", skipped="0")
    failures = 0
    for result in results:
        case = ET.SubElement(
            suite, "testcase", name=result.scenario.id, classname="orvalidate.probe", time=f"{result.seconds:.3f}"
        )
        lines = [
            escape(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}") for f in result.report.findings
        ]
        if failing(result.report, settings.config.fail_on):  # one failure element: JUnit allows one per testcase
            failures += 1
            first = next(
                f for f in result.report.findings if f.severity == "error" or settings.config.fail_on == "warning"
            )
            count = len(result.report.findings)
            failure = ET.SubElement(
                case,
                "failure",
                type=first.code,
                message=escape(f"{count} finding{'s' if count != 1 else ''}, the first: {first.code} {first.message}"),
            )
            failure.text = "\n".join(lines)
        ET.SubElement(case, "system-out").text = "\n".join([escape(result.scenario.doc), *lines])
    suite.set("failures", str(failures))
    root.set("tests", str(len(results)))
    root.set("failures", str(failures))
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
