"""A real HTTP server on 127.0.0.1 for the tests: it replays capture bytes as a Responses stream.

`POST /<anything>/responses` answers with the bytes of the capture the server is told to play
(`server.play(body)`), as `text/event-stream`, in pieces of `chunk` bytes with a flush after
each, optionally pausing once in the middle. It serves a bounded number of requests and stops when the `with` ends.
"""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_REQUESTS = 200
PAUSE = 0.5  # seconds, at `pause_at`


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "LoopbackServer"

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.requests.append(self.path)
        if len(self.server.requests) > MAX_REQUESTS:
            self.send_error(429)
            return
        body, content_type, encoding = self.server.body, self.server.content_type, None
        if self.server.gzip:
            body, encoding = gzip.compress(body, mtime=0), "gzip"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step, pause_at = self.server.chunk, self.server.pause_at
        try:
            for start in range(0, len(body), step):
                piece = body[start : start + step]
                if pause_at is not None and start <= pause_at < start + len(piece):
                    self.wfile.write(piece[: pause_at - start])
                    self.wfile.flush()
                    time.sleep(PAUSE)  # the client has a part of the stream, and may leave
                    piece = piece[pause_at - start :]
                self.wfile.write(piece)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client left early

    do_GET = do_POST


class LoopbackServer(ThreadingHTTPServer):
    """`with LoopbackServer() as server: server.play(data); httpx.post(server.url + "/v1/responses")`."""

    daemon_threads = True

    def __init__(self, chunk: int = 64) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.body = b""
        self.content_type = "text/event-stream"
        self.gzip = False
        self.chunk = chunk
        self.pause_at: int | None = None
        self.requests: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def play(
        self, body: bytes, content_type: str = "text/event-stream", gzip: bool = False, pause_at: int | None = None
    ) -> None:
        """What the next requests get; with `pause_at`, the server stops for PAUSE seconds
        after that many bytes (of the body as sent)."""
        self.body, self.content_type, self.gzip, self.pause_at = body, content_type, gzip, pause_at

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
