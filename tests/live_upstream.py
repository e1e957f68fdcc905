"""A real Responses endpoint on 127.0.0.1 for the live tests and the proxy benchmark.

`Upstream()` starts uvicorn in a thread on an ephemeral loopback port and serves an ASGI app:
`POST .../responses` answers with a recorded capture (header `X-Upstream-Capture: NAME`, from
fixtures/valid, fixtures/invalid or the real captures) or, without one, with a stream it
builds for the request, the way a model server would: a text message, a reasoning item, the
tool calls the request's tools need, the JSON its `text.format` schema asks for, `incomplete`
under a small `max_output_tokens`, a plain JSON response when `stream` is false.

Controls, as request headers (the probe's `--header`, the SDK's `default_headers`):
  X-Upstream-Chunk: N         write the body N bytes at a time (1: at every byte boundary)
  X-Upstream-Delay: SECONDS   sleep between chunks
  X-Upstream-Gzip: 1          Content-Encoding: gzip, compressed as it streams
  X-Upstream-Status: CODE     answer CODE with an OpenAI-style JSON error body
  X-Upstream-Drop-After: N    send N bytes of the body, then drop the connection
  X-Upstream-Content-Type: T  serve the stream as T
  X-Upstream-Hang: 1          send the body, then never end it
  X-Upstream-Flaw: NAME       build the stream with one flaw (see FLAWS)
  X-Upstream-Plain: 1         answer a streamed request with a plain JSON response, as if `stream` were false
  X-Upstream-Text: N          answer with a message of N characters, 64 a delta (a long stream)
Every request is kept in `requests` and every body served (before gzip) in `served`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import socket
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import uvicorn

from streams import response as response_object

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
REAL = ROOT.parent / "shared" / "captures" / "real"
FLAWS = (
    "message-instead-of-call",
    "arguments-not-json",
    "arguments-invalid",
    "structured-invalid",
    "ignores-max-tokens",
    "failed",
    "plain-shape",
)
ERRORS = {
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    429: ("rate_limit_error", "rate_limit_exceeded", "Rate limit reached for requests per minute."),
    500: ("server_error", None, "The server had an error while processing your request."),
}


def capture_path(name: str) -> Path:
    for folder in (FIXTURES / "valid", FIXTURES / "invalid", REAL):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(name)


def capture_as_sse(name: str) -> bytes:
    """A capture's bytes as an SSE body: .sse as stored, .jsonl as `event:`/`data:` blocks."""
    path = capture_path(name)
    data = path.read_bytes()
    if path.suffix == ".sse":
        return data
    blocks = []
    for line in data.splitlines():
        if line.strip():
            kind = json.loads(line).get("type", "message")
            blocks.append(b"event: " + kind.encode() + b"\ndata: " + line + b"\n\n")
    return b"".join(blocks)


# -- the model: a stream built for the request -------------------------------------------------


def example(schema: dict) -> Any:
    """A value that validates against a small JSON Schema (what a model's tool call would hold)."""
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: example(properties.get(key, {})) for key in schema.get("required", list(properties))}
    if kind == "array":
        return [example(schema.get("items", {}))]
    if kind == "integer":
        return max(int(schema.get("minimum", 0)), 2102650)
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return "Paris"


class Builder:
    """The events of one OpenAI-style stream, numbered as they are added."""

    def __init__(self, request: dict, rid: str) -> None:
        self.request = request
        self.rid = rid
        self.events: list[dict] = []
        self.output: list[dict] = []

    def add(self, kind: str, **fields: Any) -> None:
        self.events.append({"type": kind, **fields, "sequence_number": len(self.events)})

    def response(self, status: str, **extra: Any) -> dict:
        usage = None
        if status in ("completed", "incomplete", "failed"):
            usage = {
                "input_tokens": 20,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": 12,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": 32,
            }
        body = response_object(status, self.output if status != "in_progress" else [], usage, rid=self.rid, **extra)
        body["model"] = self.request.get("model", "test-model")
        body["tools"] = copy.deepcopy(self.request.get("tools", []))
        body["completed_at"] = 1767250003 if status == "completed" else None
        return body

    def message(self, text: str, pieces: int = 4, status: str = "completed") -> None:
        index, iid = len(self.output), f"msg_{self.rid[5:]}{len(self.output)}"
        self.add(
            "response.output_item.added",
            output_index=index,
            item={"id": iid, "type": "message", "status": "in_progress", "content": [], "role": "assistant"},
        )
        part = {"type": "output_text", "annotations": [], "text": "", "logprobs": []}
        self.add("response.content_part.added", item_id=iid, output_index=index, content_index=0, part=part)
        step = max(1, -(-len(text) // pieces))
        for start in range(0, len(text), step):
            self.add(
                "response.output_text.delta",
                item_id=iid,
                output_index=index,
                content_index=0,
                delta=text[start : start + step],
                logprobs=[],
            )
        self.add("response.output_text.done", item_id=iid, output_index=index, content_index=0, text=text, logprobs=[])
        done_part = {**part, "text": text}
        self.add("response.content_part.done", item_id=iid, output_index=index, content_index=0, part=done_part)
        item = {"id": iid, "type": "message", "status": status, "content": [done_part], "role": "assistant"}
        self.add("response.output_item.done", output_index=index, item=item)
        self.output.append(item)

    def reasoning(self, text: str) -> None:
        index, iid = len(self.output), f"rs_{self.rid[5:]}{len(self.output)}"
        self.add("response.output_item.added", output_index=index, item={"id": iid, "type": "reasoning", "summary": []})
        self.add(
            "response.reasoning_summary_part.added",
            item_id=iid,
            output_index=index,
            summary_index=0,
            part={"type": "summary_text", "text": ""},
        )
        for word in text.split(" ")[:-1]:
            self.add(
                "response.reasoning_summary_text.delta",
                item_id=iid,
                output_index=index,
                summary_index=0,
                delta=word + " ",
            )
        self.add(
            "response.reasoning_summary_text.delta",
            item_id=iid,
            output_index=index,
            summary_index=0,
            delta=text.split(" ")[-1],
        )
        self.add("response.reasoning_summary_text.done", item_id=iid, output_index=index, summary_index=0, text=text)
        self.add(
            "response.reasoning_summary_part.done",
            item_id=iid,
            output_index=index,
            summary_index=0,
            part={"type": "summary_text", "text": text},
        )
        item = {"id": iid, "type": "reasoning", "summary": [{"type": "summary_text", "text": text}]}
        self.add("response.output_item.done", output_index=index, item=item)
        self.output.append(item)

    def call(self, name: str, arguments: str) -> None:
        index, iid = len(self.output), f"fc_{self.rid[5:]}{len(self.output)}"
        call_id = f"call_{self.rid[-12:]}{index}"
        added = {
            "id": iid,
            "type": "function_call",
            "status": "in_progress",
            "arguments": "",
            "call_id": call_id,
            "name": name,
        }
        self.add("response.output_item.added", output_index=index, item=added)
        for start in range(0, len(arguments), 5):
            self.add(
                "response.function_call_arguments.delta",
                item_id=iid,
                output_index=index,
                delta=arguments[start : start + 5],
            )
        self.add("response.function_call_arguments.done", item_id=iid, output_index=index, arguments=arguments)
        item = {**added, "status": "completed", "arguments": arguments}
        self.add("response.output_item.done", output_index=index, item=item)
        self.output.append(item)


def answer(request: dict, flaw: str | None, number: int, text_size: int = 0) -> tuple[list[dict], dict]:
    """The events of the stream a model would send for `request`, and its final response."""
    rid = f"resp_{number:04d}" + "7c1e9f3b5d2e4f60a1b2c3d4e5f60718293a4b5c6d7e8f"
    b = Builder(request, rid)
    b.add("response.created", response=b.response("in_progress"))
    b.add("response.in_progress", response=b.response("in_progress"))
    if flaw == "failed":
        final = b.response("failed", error={"code": "server_error", "message": "The model crashed."})
        b.add("response.failed", response=final)
        return b.events, final
    if request.get("reasoning"):
        b.reasoning("The ball costs x and the bat x + 1.00, so 2x + 1.00 = 1.10.")
    tools = [t for t in request.get("tools", []) if t.get("type") == "function"]
    text_format = (request.get("text") or {}).get("format") or {}
    limited = (
        isinstance(request.get("max_output_tokens"), int)
        and request["max_output_tokens"] <= 16
        and flaw != "ignores-max-tokens"
    )
    if tools and flaw != "message-instead-of-call":
        chosen = tools if request.get("parallel_tool_calls") else tools[:1]
        for tool in chosen:
            arguments = json.dumps(example(tool.get("parameters", {})))
            if flaw == "arguments-not-json":
                arguments = arguments[:-1]
            elif flaw == "arguments-invalid":
                arguments = json.dumps({"town": "Paris"})
            b.call(tool["name"], arguments)
    elif text_format.get("type") == "json_schema":
        value = example(text_format.get("schema", {}))
        if flaw == "structured-invalid":
            value = {"city": "Paris"}
        b.message(json.dumps(value))
    elif limited:
        b.message("The lighthouse keeper climbed", status="incomplete")
    elif text_size:
        text = ("The lighthouse keeper climbed the stairs again. " * (text_size // 48 + 1))[:text_size]
        b.message(text, pieces=max(1, text_size // 64))
    else:
        b.message("Hello there, I am a test model.")
    if limited:
        final = b.response("incomplete", incomplete_details={"reason": "max_output_tokens"})
        b.add("response.incomplete", response=final)
    else:
        final = b.response("completed")
        b.add("response.completed", response=final)
    return b.events, final


def as_sse(events: list[dict]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e, separators=(',', ':'))}\n\n".encode() for e in events)


# -- the server -------------------------------------------------------------------------------


class _Dropped(Exception):
    """Raised inside the app to drop a connection mid-body (uvicorn then closes it unfinished)."""


class Upstream:
    """The endpoint, running until `stop()`; `url` is its base URL (`.../v1`)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.served: list[bytes] = []
        self._count = 0
        sock = socket.socket(
            socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
        )  # IPPROTO_TCP: asyncio then sets TCP_NODELAY on its connections
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        config = uvicorn.Config(
            self.app,
            interface="asgi3",
            proxy_headers=False,
            server_header=False,
            date_header=False,
            log_level="critical",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test upstream did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> Upstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def app(self, scope: dict, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append(
            {
                "method": scope["method"],
                "path": scope["path"],
                "query": scope["query_string"],
                "headers": list(scope["headers"]),
                "body": body,
            }
        )
        self._count += 1
        if not scope["path"].endswith("/responses"):
            await self._send(
                send, 404, b'{"error":{"message":"not found","type":"invalid_request_error"}}', "application/json"
            )
            return
        status = int(headers.get("x-upstream-status", "200"))
        if status != 200:
            kind, code, text = ERRORS.get(status, ("server_error", None, "error"))
            error = json.dumps({"error": {"message": text, "type": kind, "param": None, "code": code}}).encode()
            await self._send(send, status, error, "application/json")
            return
        request = json.loads(body or b"{}")
        flaw = headers.get("x-upstream-flaw")
        if "x-upstream-capture" in headers:
            payload, media = capture_as_sse(headers["x-upstream-capture"]), "text/event-stream"
        elif request.get("stream") and headers.get("x-upstream-plain") != "1":
            events, _ = answer(request, flaw, self._count, int(headers.get("x-upstream-text", "0")))
            payload, media = as_sse(events), "text/event-stream"
        else:
            _, final = answer(request, flaw, self._count)
            if flaw == "plain-shape":
                final["output"] = final["output"][:1] + [{"type": "reasoning", "id": "rs_x", "summary": []}]
            payload, media = json.dumps(final).encode(), "application/json"
        self.served.append(payload)
        await self._stream(send, receive, payload, headers.get("x-upstream-content-type", media), headers)

    async def _send(self, send: Any, status: int, body: bytes, media: str) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _stream(self, send: Any, receive: Any, payload: bytes, media: str, headers: dict) -> None:
        chunk = int(headers.get("x-upstream-chunk", "0"))
        delay = float(headers.get("x-upstream-delay", "0"))
        drop_after = int(headers.get("x-upstream-drop-after", "-1"))
        gzip = headers.get("x-upstream-gzip") == "1"
        if chunk > 0:
            pieces = [payload[i : i + chunk] for i in range(0, len(payload), chunk)]
        else:  # one piece per SSE block, as a server writes them
            pieces = [p + b"\n\n" for p in payload.split(b"\n\n") if p] if media == "text/event-stream" else [payload]
            if b"".join(pieces) != payload:
                pieces = [payload]
        start_headers = [(b"content-type", media.encode()), (b"cache-control", b"no-cache")]
        compressor = None
        if gzip:
            compressor = zlib.compressobj(wbits=31)
            start_headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": 200, "headers": start_headers})
        sent = 0
        for piece in pieces:
            if drop_after >= 0 and sent + len(piece) > drop_after:
                piece = piece[: drop_after - sent]
                if piece:
                    await send({"type": "http.response.body", "body": piece, "more_body": True})
                raise _Dropped("dropped mid-stream, as the test asked")
            sent += len(piece)
            data = compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH) if compressor else piece
            await send({"type": "http.response.body", "body": data, "more_body": True})
            if delay:
                await asyncio.sleep(delay)
        if headers.get("x-upstream-hang") == "1":
            while (await receive())["type"] != "http.disconnect":
                pass
            return
        tail = compressor.flush() if compressor else b""
        await send({"type": "http.response.body", "body": tail, "more_body": False})


if __name__ == "__main__":  # the benchmark runs it in a process of its own: prints the port, serves until killed
    server = Upstream()
    print(server.port, flush=True)
    threading.Event().wait()
