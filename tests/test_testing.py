"""orvalidate.testing: assert_valid_stream, and the validating httpx transport with the real
openai SDK against a loopback server replaying the fixtures."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from openai import AsyncOpenAI, OpenAI

from orvalidate.testing import StreamFindings, assert_valid_stream, validating_transport

from conftest import FIXTURES, ROOT
from containers_helpers import INVALID, VALID, profile_of
from loopback import LoopbackServer

pytest_plugins = ("pytester",)


@pytest.fixture(scope="module")
def server():
    with LoopbackServer(chunk=37) as running:  # odd pieces: events arrive split across chunks
        yield running


def _golden(capture: Path) -> str:
    return capture.with_name(capture.name + ".expected").read_text(encoding="utf-8")


@pytest.mark.parametrize("capture", INVALID, ids=lambda p: p.name)
def test_assert_valid_stream_lists_findings_as_the_text_format(capture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    relative = capture.relative_to(ROOT).as_posix()
    golden = _golden(capture)
    if "[error]" in golden:
        with pytest.raises(AssertionError) as raised:
            assert_valid_stream(relative, profile=profile_of(capture))
        assert str(raised.value) + "\n" == golden
    else:  # warnings only: it passes under fail_on="error", and fails under "warning"
        found = assert_valid_stream(relative, profile=profile_of(capture))
        assert len(found) == golden.count("\n") > 0
        with pytest.raises(AssertionError) as raised:
            assert_valid_stream(relative, profile=profile_of(capture), fail_on="warning")
        assert str(raised.value) + "\n" == golden


@pytest.mark.parametrize("capture", INVALID[::4] + VALID, ids=lambda p: p.name)
def test_bytes_and_events_give_the_same_findings_as_the_file(capture: Path) -> None:
    def codes(source: object) -> list[str]:
        try:
            return [f.code for f in assert_valid_stream(source, profile=profile_of(capture), fail_on="warning")]  # type: ignore[arg-type]
        except StreamFindings as failure:
            return sorted(f.code for f in failure.findings)

    from_file = codes(str(capture))
    assert codes(capture.read_bytes()) == from_file
    if capture.suffix == ".jsonl" and not capture.name.startswith(("F00", "F01")):
        events = [json.loads(line) for line in capture.read_text().splitlines() if line.strip()]
        assert codes(events) == from_file


def test_select_ignore_and_bad_arguments() -> None:
    capture = str(FIXTURES / "invalid" / "D001-no-output-text-done.sse")
    assert assert_valid_stream(capture, ignore=["D001"]) == []
    assert assert_valid_stream(capture, select=["U"]) == []
    with pytest.raises(ValueError, match="unknown rule selector"):
        assert_valid_stream(capture, ignore=["no-such-rule"])
    with pytest.raises(ValueError, match="fail_on"):
        assert_valid_stream(capture, fail_on="never")
    with pytest.raises(FileNotFoundError):
        assert_valid_stream(str(FIXTURES / "nowhere.sse"))


def _payloads(body: bytes) -> list[dict]:
    """The events of an SSE capture as its bytes hold them (the test's own oracle)."""
    return [
        json.loads(line[5:])
        for line in body.decode("utf-8").split("\n")
        if line.startswith("data:") and line[5:].strip() != "[DONE]"
    ]


_OPEN: list[OpenAI] = []


@pytest.fixture(autouse=True)
def _close_clients():
    """Each test's SDK clients are closed after it: their pooled connections would otherwise be
    left to the garbage collector (a ResourceWarning, an error under this suite's filters)."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def _client(server: LoopbackServer, **options) -> tuple[OpenAI, object]:
    transport = validating_transport(**options)
    client = OpenAI(
        base_url=server.url + "/v1",
        api_key="sk-test",
        max_retries=0,
        http_client=httpx.Client(transport=transport, timeout=10),
    )
    _OPEN.append(client)
    return client, transport


SDK_VALID = [p for p in VALID if p.suffix == ".sse"]


@pytest.mark.parametrize("capture", SDK_VALID, ids=lambda p: p.name)
def test_sdk_reads_a_valid_stream_through_the_transport(capture: Path, server: LoopbackServer) -> None:
    body = capture.read_bytes()
    server.play(body)
    client, transport = _client(server, profile=profile_of(capture))
    events = list(client.responses.create(model="m", input="hi", stream=True))
    assert [e.to_dict() for e in events] == _payloads(body)  # every event, as sent
    assert transport.streams == 1 and transport.findings == []


def _without(body: bytes, event_type: str) -> bytes:
    """The capture without its SSE blocks of `event_type`."""
    blocks = body.split(b"\n\n")
    return b"\n\n".join(b for b in blocks if f'"type":"{event_type}"'.encode() not in b)


BROKEN = {
    "D001": (FIXTURES / "invalid" / "D001-no-output-text-done.sse").read_bytes(),
    "L002": (FIXTURES / "invalid" / "L002-no-terminal-event.sse").read_bytes(),
    "Q002": (FIXTURES / "invalid" / "Q002-number-skipped.sse").read_bytes(),
    # OpenRouter: the SDK stops at `data: [DONE]` and closes the response before its end
    "D001-done": _without((FIXTURES / "valid" / "openrouter_text.sse").read_bytes(), "response.output_text.done"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_sdk_gets_every_event_then_the_findings_raise(name: str, server: LoopbackServer) -> None:
    body = BROKEN[name]
    server.play(body)
    client, transport = _client(server)
    received = []
    with pytest.raises(StreamFindings) as raised:
        for event in client.responses.create(model="m", input="hi", stream=True):
            received.append(event.to_dict())
    assert received == _payloads(body)
    assert name.split("-")[0] in {f.code for f in raised.value.findings}
    assert str(raised.value).startswith(f"{server.url}/v1/responses:")


def test_on_finding_gets_findings_as_they_arise_and_nothing_raises(server: LoopbackServer) -> None:
    server.play(BROKEN["Q002"])
    seen: list = []
    client, transport = _client(server, on_finding=seen.append)
    events = list(client.responses.create(model="m", input="hi", stream=True))
    assert len(events) == len(_payloads(BROKEN["Q002"]))
    assert "Q002" in {f.code for f in seen} and seen == transport.findings


def test_raw_bytes_pass_unchanged_and_other_responses_are_not_checked(server: LoopbackServer) -> None:
    transport = validating_transport()
    with httpx.Client(transport=transport, timeout=10) as client:
        for capture in (*SDK_VALID, FIXTURES / "invalid" / "F002-trailing-comma.sse"):
            server.play(capture.read_bytes())
            got = []
            try:
                with client.stream("POST", server.url + "/v1/responses") as response:
                    for chunk in response.iter_raw():
                        got.append(chunk)
            except StreamFindings:
                assert capture.name.startswith("F002")
            assert b"".join(got) == capture.read_bytes()
        checked = transport.streams
        server.play(BROKEN["D001"])
        assert client.post(server.url + "/v1/chat/completions").content == BROKEN["D001"]
        server.play(BROKEN["D001"], content_type="application/json")
        assert client.post(server.url + "/v1/responses").content == BROKEN["D001"]
        assert transport.streams == checked
        server.play(BROKEN["D001"], gzip=True)  # the wire's bytes are gzip: checked decompressed
        with pytest.raises(StreamFindings):
            client.post(server.url + "/v1/responses")


def test_async_client(server: LoopbackServer) -> None:
    async def run(body: bytes) -> list:
        transport = validating_transport()
        client = AsyncOpenAI(
            base_url=server.url + "/v1",
            api_key="sk-test",
            max_retries=0,
            http_client=httpx.AsyncClient(transport=transport, timeout=10),
        )
        received = []
        server.play(body)
        try:
            async for event in await client.responses.create(model="m", input="hi", stream=True):
                received.append(event.to_dict())
        finally:
            await client.close()
        return received

    good = (FIXTURES / "valid" / "openai_text.sse").read_bytes()
    assert asyncio.run(run(good)) == _payloads(good)
    with pytest.raises(StreamFindings, match="D001"):
        asyncio.run(run(BROKEN["D001"]))


def test_the_fixture_fails_the_test_at_teardown(pytester: pytest.Pytester, server: LoopbackServer) -> None:
    pytester.makepyfile(
        test_sdk=f"""
        import httpx
        from openai import OpenAI

        def test_stream(orvalidate_transport):
            with OpenAI(base_url="{server.url}/v1", api_key="sk-test", max_retries=0,
                        http_client=httpx.Client(transport=orvalidate_transport)) as client:
                events = list(client.responses.create(model="m", input="hi", stream=True))
            assert events
        """
    )
    server.play((FIXTURES / "valid" / "openai_text.sse").read_bytes())
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    server.play(BROKEN["D001"])
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)  # the test body passed; its teardown failed
    assert "a Responses stream read in this test has findings" in result.stdout.str()
    assert f"{server.url}/v1/responses:" in result.stdout.str() and "D001 [error]" in result.stdout.str()


def test_a_stream_the_client_leaves_early_is_not_blamed_for_its_missing_end(server: LoopbackServer) -> None:
    body = (FIXTURES / "valid" / "openai_text.sse").read_bytes()
    server.play(body, pause_at=body.index(b"event: response.content_part.added"))  # 3 events, then a pause
    client, transport = _client(server)
    with client.responses.create(model="m", input="hi", stream=True) as stream:
        for number, _event in enumerate(stream):
            if number == 2:
                break  # closing the response here: no L002 for the part never read
    assert transport.streams == 1 and transport.findings == []


def test_a_vcrpy_replay_is_checked_by_the_transport(server: LoopbackServer, tmp_path: Path) -> None:
    import vcr

    cassette = str(tmp_path / "answer.yaml")
    server.play(BROKEN["D001"])
    with vcr.use_cassette(cassette, record_mode="all"):
        client, _ = _client(server, on_finding=lambda finding: None)
        list(client.responses.create(model="m", input="hi", stream=True))
    server.play(b"")  # the replay must come from the cassette, not from the server
    asked = len(server.requests)
    with vcr.use_cassette(cassette, record_mode="none"):
        client, transport = _client(server)
        received = []
        with pytest.raises(StreamFindings, match="D001"):
            for event in client.responses.create(model="m", input="hi", stream=True):
                received.append(event.to_dict())
    assert received == _payloads(BROKEN["D001"]) and len(server.requests) == asked
