"""`orvalidate proxy` between real clients (the openai SDK, httpx) and a real upstream on
127.0.0.1 (tests/live_upstream.py): requests and answers pass unchanged, streams are checked
as they pass, every upstream control meets the right outcome, and the proxy keeps serving."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest

from orvalidate.api import check_file
from orvalidate.config import Config
from orvalidate.live.proxy import Address, serve

from conftest import FIXTURES, require_real
from live_upstream import Upstream


@pytest.fixture(scope="module")
def upstream():
    with Upstream() as server:
        yield server


class RunningProxy:
    """`serve` in a thread, its findings and log lines kept; stopped as Ctrl-C would."""

    def __init__(
        self,
        upstream: str,
        record: Path | None = None,
        listen: Address = Address("127.0.0.1", 0),
        output_format: str = "text",
        config: Config = Config(),
    ) -> None:
        self.out: list[str] = []
        self.log: list[str] = []
        self.box: list = []
        self.counts: dict = {}
        started = threading.Event()
        address: list[Address] = []

        def ready(bound: Address) -> None:
            address.append(bound)
            started.set()

        def run() -> None:
            self.counts = serve(
                upstream,
                listen,
                record,
                "auto",
                config,
                output_format,
                self.out.append,
                self.log.append,
                ready,
                self.box,
            )

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert started.wait(10)
        while not (self.box and self.box[0].started):
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{address[0].port}"

    def stop(self) -> dict:
        self.box[0].should_exit = True
        self.thread.join(10)
        assert not self.thread.is_alive()
        return self.counts

    def wait_for(self, words: str, since: int = 0, timeout: float = 10) -> str:
        """The log line with these words, from line `since` on: the checker thread reports a
        stream's end a moment after the client has it all."""
        deadline = time.monotonic() + timeout
        while not any(words in line for line in self.log[since:]):
            assert time.monotonic() < deadline, f"{words!r} never logged: {self.log}"
            time.sleep(0.01)
        return next(line for line in self.log[since:] if words in line)


@pytest.fixture(scope="module")
def proxy(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory):
    running = RunningProxy(upstream.url.removesuffix("/v1"), record=tmp_path_factory.mktemp("records"))
    yield running
    running.stop()


_OPEN: list[openai.OpenAI] = []


@pytest.fixture(autouse=True)
def _close_clients():
    """Each test's SDK clients are closed after it: their pooled connections would otherwise be
    left to the garbage collector (a ResourceWarning, an error under this suite's filters)."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def sdk(base_url: str, **headers: str) -> openai.OpenAI:
    client = openai.OpenAI(
        base_url=base_url, api_key="sk-test-secret-key", default_headers=headers, max_retries=0, timeout=20
    )
    _OPEN.append(client)
    return client


def events(client: openai.OpenAI, **request) -> list[dict]:
    return [e.model_dump() for e in client.responses.create(model="test-model", input="hello", stream=True, **request)]


@pytest.mark.parametrize(
    "capture", ["openai_text.sse", "openai_reasoning.sse", "openrouter_text.sse", "openai_function_call.jsonl"]
)
def test_the_sdk_yields_the_same_events_through_the_proxy(
    upstream: Upstream, proxy: RunningProxy, capture: str
) -> None:
    direct = events(sdk(upstream.url, **{"X-Upstream-Capture": capture}))
    served = upstream.served[-1]
    logged = len(proxy.log)
    through = events(sdk(proxy.url + "/v1", **{"X-Upstream-Capture": capture}))
    assert through == direct and len(direct) > 5
    line = proxy.wait_for("stream checked", since=logged)
    assert line.endswith(".sse)") and ", 0 findings" in line
    recorded = Path(line.rsplit("(", 1)[1].rstrip(")"))
    assert recorded.read_bytes() == served == upstream.served[-1]
    assert check_file(str(recorded)).findings == []


def test_real_captures_through_the_proxy(upstream: Upstream, proxy: RunningProxy) -> None:
    require_real()
    for name in (
        "openrouter_gpt-4o_text_cost.sse",
        "openai_web_search_7_calls.sse",
        "xai_reasoning_summary_text.jsonl",
    ):
        direct = events(sdk(upstream.url, **{"X-Upstream-Capture": name}))
        served = upstream.served[-1]
        logged = len(proxy.log)
        assert events(sdk(proxy.url + "/v1", **{"X-Upstream-Capture": name})) == direct, name
        line = proxy.wait_for("stream checked", since=logged)
        recorded = Path(line.rsplit("(", 1)[1].rstrip(")"))
        assert recorded.read_bytes() == served
        expected = sum(1 for _ in check_file(str(recorded)).findings)
        assert f"stream checked, {expected} finding" in line, (name, line)


def test_the_sdk_calls_a_tool_through_the_proxy(upstream: Upstream, proxy: RunningProxy) -> None:
    tool = {
        "type": "function",
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    }
    direct = events(sdk(upstream.url), tools=[tool])
    through = events(sdk(proxy.url + "/v1"), tools=[tool])
    strip = lambda evs: [json.dumps(e, sort_keys=True).replace(e.get("response", {}).get("id", "-"), "") for e in evs]  # noqa: E731
    assert [e["type"] for e in through] == [e["type"] for e in direct]
    assert through[-1]["response"]["output"][0]["arguments"] == '{"location": "Paris"}'
    assert len(strip(through)) == len(strip(direct))


def test_requests_are_forwarded_unchanged(upstream: Upstream, proxy: RunningProxy) -> None:
    body = b'{"model":"m","input":"hi","stream":false}'
    headers = {"Authorization": "Bearer sk-x", "X-Custom": "a, b", "Content-Type": "application/json"}
    with httpx.Client(trust_env=False) as client:
        client.headers.clear()  # no User-Agent, Accept or Accept-Encoding: the proxy must not add its own
        for base in (upstream.url, proxy.url + "/v1"):
            client.post(f"{base}/responses?api-version=2025-01&x=%2F", content=body, headers=headers)
    direct, through = upstream.requests[-2], upstream.requests[-1]
    without_host = lambda r: [h for h in r["headers"] if h[0] not in (b"host", b"connection")]  # noqa: E731  (hop-by-hop)
    assert (through["method"], through["path"], through["query"], through["body"]) == (
        direct["method"],
        direct["path"],
        direct["query"],
        direct["body"],
    )
    assert without_host(through) == without_host(direct)


def test_answers_come_back_byte_for_byte(upstream: Upstream, proxy: RunningProxy) -> None:
    """Raw bytes as sent (gzip included, chunk by chunk), same status and headers."""
    headers = {
        "X-Upstream-Gzip": "1",
        "X-Upstream-Chunk": "64",
        "X-Upstream-Delay": "0.001",
        "X-Upstream-Capture": "openai_text.sse",
    }
    logged = len(proxy.log)
    seen = []
    for base in (upstream.url, proxy.url + "/v1"):
        with httpx.stream(
            "POST", f"{base}/responses", json={"model": "m", "stream": True}, headers=headers, trust_env=False
        ) as r:
            seen.append(
                (
                    r.status_code,
                    [(k, v) for k, v in r.headers.items() if k != "transfer-encoding"],
                    b"".join(r.iter_raw()),
                )
            )
    assert seen[0] == seen[1]
    assert seen[0][2][:2] == b"\x1f\x8b"  # gzip, passed through compressed
    proxy.wait_for("stream checked, 0 findings", since=logged)


def test_a_stream_is_checked_as_it_passes(upstream: Upstream, proxy: RunningProxy) -> None:
    """Findings of a flawed capture, cut at every byte, are those of its file, printed with the request's number and path."""
    name = "D004-text-done-differs-from-deltas.sse"
    before, logged = len(proxy.out), len(proxy.log)
    with httpx.stream(
        "POST",
        f"{proxy.url}/v1/responses",
        json={"stream": True},
        headers={"X-Upstream-Capture": name, "X-Upstream-Chunk": "1"},
        trust_env=False,
    ) as r:
        assert b"".join(r.iter_bytes()) == (FIXTURES / "invalid" / name).read_bytes()
    proxy.wait_for("stream checked, 1 finding", since=logged)
    printed = proxy.out[before:]
    assert len(printed) == 1 and re.match(r"\[#\d+ POST /v1/responses\] \S+\.sse:31:1: D004 \[warning\] ", printed[0])


def test_error_statuses_pass_through_unchecked(upstream: Upstream, proxy: RunningProxy) -> None:
    for status in (401, 429, 500):
        before = len(proxy.out)
        with pytest.raises(openai.APIStatusError) as caught:
            events(sdk(proxy.url + "/v1", **{"X-Upstream-Status": str(status)}))
        assert caught.value.status_code == status
        assert caught.value.body["message"] if isinstance(caught.value.body, dict) else True
        assert proxy.out[before:] == []


def test_a_dropped_upstream_breaks_the_client_stream_and_is_p003(upstream: Upstream, proxy: RunningProxy) -> None:
    logged = len(proxy.log)
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream(
            "POST",
            f"{proxy.url}/v1/responses",
            json={"stream": True, "input": "x"},
            headers={"X-Upstream-Drop-After": "1500"},
            trust_env=False,
        ) as r:
            b"".join(r.iter_bytes())
    proxy.wait_for("the upstream broke the answer off", since=logged)
    proxy.wait_for("stream checked", since=logged)
    assert any(" P003 [error] the connection broke before the stream ended" in line for line in proxy.out)
    assert (
        httpx.post(f"{proxy.url}/v1/responses", json={"stream": False}, trust_env=False).status_code == 200
    )  # still serving


def test_a_wrong_content_type_passes_unchecked(upstream: Upstream, proxy: RunningProxy) -> None:
    before = (len(proxy.out), len(proxy.log))
    r = httpx.post(
        f"{proxy.url}/v1/responses",
        json={"stream": True},
        headers={"X-Upstream-Content-Type": "application/json"},
        trust_env=False,
    )
    assert r.status_code == 200 and r.content == upstream.served[-1]
    time.sleep(0.2)
    assert (len(proxy.out), len(proxy.log)) == before


def test_a_stream_that_never_ends_lets_the_client_time_out(upstream: Upstream, proxy: RunningProxy) -> None:
    logged = len(proxy.log)
    with pytest.raises(httpx.ReadTimeout):
        with httpx.stream(
            "POST",
            f"{proxy.url}/v1/responses",
            json={"stream": True},
            headers={"X-Upstream-Hang": "1"},
            timeout=httpx.Timeout(5, read=1),
            trust_env=False,
        ) as r:
            b"".join(r.iter_bytes())
    proxy.wait_for("cut before its end (the client went away", since=logged)
    assert httpx.post(f"{proxy.url}/v1/responses", json={"stream": False}, trust_env=False).status_code == 200


def test_an_unreachable_upstream_gives_502_json_and_the_proxy_keeps_serving(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    running = RunningProxy(f"http://127.0.0.1:{port}")
    try:
        for _ in range(2):
            r = httpx.post(f"{running.url}/v1/responses", json={}, trust_env=False)
            assert r.status_code == 502
            assert (
                r.json()["error"]["message"] == "orvalidate proxy: the upstream cannot be reached: connection refused"
            )
    finally:
        counts = running.stop()
    assert counts["requests"] == 2 and counts["streams"] == 0


def test_other_paths_pass_through_unchecked(upstream: Upstream, proxy: RunningProxy) -> None:
    before = len(proxy.log)
    r = httpx.get(f"{proxy.url}/v1/models", trust_env=False)
    assert r.status_code == 404 and upstream.requests[-1]["path"] == "/v1/models"
    time.sleep(0.1)
    assert len(proxy.log) == before


def test_no_credential_in_records_findings_or_logs(upstream: Upstream, proxy: RunningProxy) -> None:
    logged = len(proxy.log)
    events(sdk(proxy.url + "/v1", **{"X-Upstream-Capture": "D004-text-done-differs-from-deltas.sse"}))
    line = proxy.wait_for("stream checked, 1 finding", since=logged)
    folder = Path(line.rsplit("(", 1)[1].rstrip(")")).parent
    written = b"".join(p.read_bytes() for p in folder.iterdir()).decode()
    assert "sk-test-secret-key" not in written + "\n".join(proxy.out + proxy.log)
    assert any(b"sk-test-secret-key" in value for r in upstream.requests for _, value in r["headers"])  # it did pass


def test_json_lines(upstream: Upstream) -> None:
    running = RunningProxy(upstream.url.removesuffix("/v1"), output_format="json")
    try:
        httpx.post(
            f"{running.url}/v1/responses",
            json={"stream": True},
            headers={"X-Upstream-Capture": "L002-no-terminal-event.sse"},
            trust_env=False,
        )
        running.wait_for("stream checked")
    finally:
        running.stop()
    found = [json.loads(line) for line in running.out]
    assert [f["code"] for f in found] == [
        f.code for f in check_file(str(FIXTURES / "invalid" / "L002-no-terminal-event.sse")).findings
    ]
    assert found[0]["request"] == 1 and found[0]["request_path"] == "/v1/responses" and found[0]["path"] == "<stream>"


def test_the_selection_applies(upstream: Upstream) -> None:
    running = RunningProxy(upstream.url.removesuffix("/v1"), config=Config(ignore=("D004",)))
    try:
        httpx.post(
            f"{running.url}/v1/responses",
            json={"stream": True},
            headers={"X-Upstream-Capture": "D004-text-done-differs-from-deltas.sse"},
            trust_env=False,
        )
        running.wait_for("stream checked, 0 findings")
    finally:
        counts = running.stop()
    assert running.out == [] and counts == {"requests": 1, "streams": 1, "error": 0, "warning": 0}


def test_another_address_than_loopback_is_warned_about(upstream: Upstream) -> None:
    """0.0.0.0 is bound (nothing is sent there: the requests below go to 127.0.0.1)."""
    running = RunningProxy(upstream.url.removesuffix("/v1"), listen=Address("0.0.0.0", 0))
    running.stop()
    assert running.log[0].startswith("orvalidate: warning: listening on 0.0.0.0:")
    assert Address("127.0.0.1", 1).loopback and Address("::1", 1).loopback and Address("localhost", 1).loopback


def test_ctrl_c_stops_the_command_with_a_summary(upstream: Upstream, tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "orvalidate",
        "proxy",
        "--upstream",
        upstream.url.removesuffix("/v1"),
        "--listen",
        "127.0.0.1:0",
        "--record",
        str(tmp_path),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stderr.readline()
        port = re.search(r"http://127\.0\.0\.1:(\d+) ->", first).group(1)
        events(sdk(f"http://127.0.0.1:{port}/v1", **{"X-Upstream-Capture": "D004-text-done-differs-from-deltas.sse"}))
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert " D004 [warning] " in out
    assert err.splitlines()[-1] == "orvalidate proxy: 1 request, 1 stream checked, 0 errors, 1 warning"
    assert "Traceback" not in err


def test_ctrl_c_with_a_stream_open_cuts_it_and_exits_0(upstream: Upstream) -> None:
    command = [
        sys.executable,
        "-m",
        "orvalidate",
        "proxy",
        "--upstream",
        upstream.url.removesuffix("/v1"),
        "--listen",
        "127.0.0.1:0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    broken: list = []

    def endless() -> None:
        try:
            with httpx.stream(
                "POST",
                f"http://127.0.0.1:{port}/v1/responses",
                json={"stream": True},
                headers={"X-Upstream-Hang": "1"},
                timeout=30,
                trust_env=False,
            ) as r:
                b"".join(r.iter_bytes())
        except httpx.HTTPError as exc:
            broken.append(exc)

    try:
        port = re.search(r"http://127\.0\.0\.1:(\d+) ->", process.stderr.readline()).group(1)
        client = threading.Thread(target=endless)
        client.start()
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
        client.join(20)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err and "cut before its end" in err
    assert err.splitlines()[-1].startswith("orvalidate proxy: 1 request, 1 stream checked")
    assert len(broken) == 1  # the client sees its stream cut, not a clean end


def test_bad_options_exit_2() -> None:
    from click.testing import CliRunner

    from orvalidate.cli import main

    for args, words in (
        (["--upstream", "ftp://x"], "expected http(s)://"),
        (["--upstream", "http://x", "--listen", "nope"], "expected HOST:PORT"),
    ):
        result = CliRunner().invoke(main, ["proxy", *args])
        assert result.exit_code == 2 and words in result.stderr
