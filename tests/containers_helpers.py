"""Real containers for the tests: cassettes recorded by vcrpy from an httpx client talking to
tests/loopback.py, and HAR 1.2 files written to the spec."""

from __future__ import annotations

import base64
import gzip as gzip_module
import json
import shlex
from pathlib import Path

import httpx
import vcr

from conftest import FIXTURES
from loopback import LoopbackServer


def profile_of(capture: Path) -> str:
    """The --profile of a fixture's .args sidecar (the only argument sidecars hold), else auto."""
    sidecar = capture.with_name(capture.name + ".args")
    if not sidecar.exists():
        return "auto"
    args = shlex.split(sidecar.read_text(encoding="utf-8"))
    assert args[0] == "--profile" and len(args) == 2, args
    return args[1]


def record(
    server: LoopbackServer, cassette: Path, exchanges: list[tuple[str, bytes, str]], gzip: bool = False, **vcr_options
) -> Path:
    """Record `exchanges` (path, body, content type) into a vcrpy cassette; returns its path."""
    with vcr.use_cassette(str(cassette), record_mode="all", **vcr_options):
        with httpx.Client(timeout=10) as client:
            for path, body, content_type in exchanges:
                server.play(body, content_type, gzip=gzip)
                with client.stream("POST", server.url + path, json={"model": "m", "stream": True}) as response:
                    assert b"".join(response.iter_bytes()) == body
    return cassette


def record_one(server: LoopbackServer, tmp_path: Path, capture: Path, **options) -> Path:
    return record(
        server,
        tmp_path / (capture.stem + ".yaml"),
        [("/v1/responses", capture.read_bytes(), "text/event-stream")],
        **options,
    )


def har_entry(url: str, body: bytes, mime: str = "text/event-stream", form: str = "text") -> dict:
    """One HAR 1.2 entry (log.entries[]) with every required field; the body as `text`,
    `base64`, or `gzip` (the wire's gzip bytes, base64, with Content-Encoding: gzip)."""
    headers = [{"name": "Content-Type", "value": mime}]
    content: dict = {"size": len(body), "mimeType": mime}
    if form == "text":
        content["text"] = body.decode("utf-8")
    elif form == "base64":
        content.update(text=base64.b64encode(body).decode("ascii"), encoding="base64")
    else:
        packed = gzip_module.compress(body, mtime=0)
        headers.append({"name": "Content-Encoding", "value": "gzip"})
        content.update(
            text=base64.b64encode(packed).decode("ascii"), encoding="base64", compression=len(body) - len(packed)
        )
    return {
        "startedDateTime": "2026-01-01T00:00:00.000Z",
        "time": 12.5,
        "request": {
            "method": "POST",
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "queryString": [],
            "postData": {"mimeType": "application/json", "text": '{"stream":true}'},
            "headersSize": -1,
            "bodySize": 15,
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": headers,
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0.1, "wait": 10.0, "receive": 2.4},
    }


def write_har(path: Path, entries: list[dict]) -> Path:
    document = {"log": {"version": "1.2", "creator": {"name": "orvalidate tests", "version": "1"}, "entries": entries}}
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


INVALID = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.suffix in (".sse", ".jsonl"))
VALID = sorted(p for p in (FIXTURES / "valid").iterdir() if p.suffix in (".sse", ".jsonl"))
