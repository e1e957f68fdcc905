"""What orvalidate costs inside a test suite: streams read from cassettes and HAR files, and a
client reading streams through `validating_transport`.

    pip install -e '.[test]'
    python benchmarks/in_tests.py [--real ../shared/captures/real] [--repeat 5] [--chunk 4096]

In one process, over every SSE capture of the folder (the fixtures when it is absent):
1. checking each capture bare, inside a VCR.py cassette (the shape vcrpy writes, as text and
   as gzip `!!binary`) and inside a HAR file, per capture;
2. an httpx client reading each capture from an httpx.MockTransport (no network), plain and
   through validating_transport, in chunks of --chunk bytes.
Each figure is the median of --repeat rounds, each round timing the pair back to back; the
ratios are the medians of each round's own ratio. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from orvalidate.api import check_file
from orvalidate.incremental import ByteStreamValidator
from orvalidate.testing import validating_transport

ROOT = Path(__file__).resolve().parents[1]


def cassette(body: bytes, zipped: bool) -> str:
    response_body: dict = {"string": gzip.compress(body, mtime=0) if zipped else body.decode("utf-8")}
    headers = {"content-type": ["text/event-stream"], **({"content-encoding": ["gzip"]} if zipped else {})}
    document = {
        "interactions": [
            {
                "request": {
                    "body": '{"stream":true}',
                    "headers": {"content-type": ["application/json"]},
                    "method": "POST",
                    "uri": "https://api.openai.com/v1/responses",
                },
                "response": {"body": response_body, "headers": headers, "status": {"code": 200, "message": "OK"}},
            }
        ],
        "version": 1,
    }
    return yaml.safe_dump(document)


def har(body: bytes) -> str:
    entry = {
        "startedDateTime": "2026-01-01T00:00:00Z",
        "time": 1,
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
        "request": {
            "method": "POST",
            "url": "https://api.openai.com/v1/responses",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "queryString": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "content": {"size": len(body), "mimeType": "text/event-stream", "text": body.decode("utf-8")},
        },
    }
    return json.dumps(
        {"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "entries": [entry]}}, indent=2
    )


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def read_all(bodies: list[bytes], chunk: int, validate: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = bodies[int(request.url.params["n"])]
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=httpx.ByteStream(body) if chunk <= 0 else _Chunks(body, chunk),
        )

    inner = httpx.MockTransport(handler)
    transport = validating_transport(inner, on_finding=lambda finding: None) if validate else inner
    with httpx.Client(transport=transport) as client:
        for n in range(len(bodies)):
            with client.stream("POST", "http://bench/v1/responses", params={"n": n}) as response:
                for _ in response.iter_raw():
                    pass


def feed_all(bodies: list[bytes], chunk: int) -> None:
    """The same bytes and pieces straight into ByteStreamValidator: the checking alone."""
    for body in bodies:
        validator = ByteStreamValidator("bench", input_format="sse")
        for start in range(0, len(body), chunk):
            validator.feed(body[start : start + chunk])
        validator.close()


class _Chunks(httpx.SyncByteStream):
    def __init__(self, body: bytes, size: int) -> None:
        self.body, self.size = body, size

    def __iter__(self):
        for start in range(0, len(self.body), self.size):
            yield self.body[start : start + self.size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "captures" / "real")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=4096)
    args = parser.parse_args()
    folder = args.real if args.real.is_dir() else ROOT / "fixtures" / "valid"
    captures = []
    for path in sorted(folder.glob("*.sse")):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        captures.append(path)
    bodies = [p.read_bytes() for p in captures]
    size = sum(map(len, bodies))
    print(f"{len(captures)} SSE captures from {folder} ({size / 1e6:.1f} MB), {args.repeat} rounds")
    with tempfile.TemporaryDirectory() as tmp:
        kinds = {"cassette (text)": [], "cassette (gzip)": [], "HAR": []}
        for n, body in enumerate(bodies):
            for kind, text, ext in (
                ("cassette (text)", cassette(body, False), "yaml"),
                ("cassette (gzip)", cassette(body, True), "yaml"),
                ("HAR", har(body), "har"),
            ):
                path = Path(tmp) / f"{n}.{kind[:3]}{len(kinds[kind])}.{ext}"
                path.write_text(text, encoding="utf-8")
                kinds[kind].append(str(path))
        bare = [str(p) for p in captures]
        for kind, paths in kinds.items():
            rounds = []
            for _ in range(args.repeat):
                plain = timed(lambda: [check_file(p) for p in bare])
                inside = timed(lambda: [check_file(p) for p in paths])
                rounds.append((plain, inside, inside / plain))
            plain, inside, ratio = (statistics.median(r[i] for r in rounds) for i in range(3))
            low, high = min(r[2] for r in rounds), max(r[2] for r in rounds)
            print(
                f"  {kind:<16} {inside * 1e3 / len(paths):7.2f} ms/capture vs bare {plain * 1e3 / len(bare):6.2f}: x{ratio:.2f} (rounds x{low:.2f}-x{high:.2f})"
            )
    rounds = []
    for _ in range(args.repeat):
        plain = timed(lambda: read_all(bodies, args.chunk, False))
        alone = timed(lambda: feed_all(bodies, args.chunk))
        checked = timed(lambda: read_all(bodies, args.chunk, True))
        rounds.append((plain, alone, checked, checked / plain, checked / (plain + alone)))
    plain, alone, checked, ratio, overhead = (statistics.median(r[i] for r in rounds) for i in range(5))
    print(f"  httpx read in chunks of {args.chunk} B, plain:            {size / plain / 1e6:7.1f} MB/s")
    print(f"  the same bytes fed to ByteStreamValidator alone:  {size / alone / 1e6:7.1f} MB/s")
    print(
        f"  httpx read through validating_transport:          {size / checked / 1e6:7.1f} MB/s: x{ratio:.1f} the plain read; "
        f"x{overhead:.2f} the plain read plus the checking alone (rounds x{min(r[4] for r in rounds):.2f}-x{max(r[4] for r in rounds):.2f})"
    )


if __name__ == "__main__":
    sys.exit(main())
