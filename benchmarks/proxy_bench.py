"""What `orvalidate proxy` costs an app: added time to first byte, added total time on a 1 MB
stream, and whether its memory grows with the streams it has passed.

    pip install -e '.[test]'
    python benchmarks/proxy_bench.py [--requests 50] [--rounds 20] [--streams 1000]

The upstream (tests/live_upstream.py) and the proxy (`orvalidate proxy`, checking every
stream) each run in a process of their own on 127.0.0.1; the client here is httpx with one
keep-alive connection per target. Direct and proxied requests alternate, so a neighbour's
burst on this shared machine falls on both sides; figures are medians of one run, and ratios
are those of pairs measured back to back. Nothing here asserts: it prints figures and goals.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SMALL = {"X-Upstream-Capture": "openai_text.sse"}  # a 7 KB real-shaped stream, one write per event
LONG_TEXT = 120_000  # characters of the long answer: about 1 MB of SSE with its deltas and .done events


def start_upstream() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "live_upstream.py")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT / "tests",
    )
    port = process.stdout.readline().strip()  # type: ignore[union-attr]
    return process, f"http://127.0.0.1:{port}"


def start_proxy(upstream: str) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "orvalidate", "proxy", "--upstream", upstream, "--listen", "127.0.0.1:0"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first = process.stderr.readline()  # type: ignore[union-attr]
    match = re.search(r"http://127\.0\.0\.1:(\d+) ->", first)
    if not match:
        raise SystemExit(f"the proxy did not start: {first}")
    return process, f"http://127.0.0.1:{match.group(1)}"


def client() -> httpx.Client:
    return httpx.Client(trust_env=False, timeout=60)


def timed(http: httpx.Client, base: str, headers: dict) -> tuple[float, float, int]:
    """(seconds to the first body byte, seconds to the last, bytes) of one streamed request."""
    started = time.perf_counter()
    first = None
    size = 0
    with http.stream(
        "POST", f"{base}/v1/responses", json={"model": "m", "input": "hi", "stream": True}, headers=headers
    ) as response:
        for chunk in response.iter_raw():
            if first is None:
                first = time.perf_counter()
            size += len(chunk)
    return (first or time.perf_counter()) - started, time.perf_counter() - started, size


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50, help="requests per side for time to first byte")
    parser.add_argument("--rounds", type=int, default=20, help="1 MB streams per side, sent as fast as loopback goes")
    parser.add_argument("--paced-rounds", type=int, default=5, help="1 MB streams per side, one event a millisecond")
    parser.add_argument("--streams", type=int, default=1000, help="streams through the proxy for the memory figure")
    args = parser.parse_args()

    upstream, upstream_url = start_upstream()
    proxy, proxy_url = start_proxy(upstream_url)
    try:
        with client() as direct, client() as proxied:
            for http, base in ((direct, upstream_url), (proxied, proxy_url)):  # warm both paths (imports, connections)
                for _ in range(5):
                    timed(http, base, SMALL)
            first_direct, first_proxy = [], []
            for _ in range(args.requests):
                first_direct.append(timed(direct, upstream_url, SMALL)[0])
                first_proxy.append(timed(proxied, proxy_url, SMALL)[0])
            long = {"X-Upstream-Text": str(LONG_TEXT)}
            paced = {**long, "X-Upstream-Delay": "0.001"}
            totals = {}
            size = 0
            for label, headers, rounds in (("fast", long, args.rounds), ("paced", paced, args.paced_rounds)):
                totals[label] = ([], [])
                for _ in range(rounds):
                    _, d, size = timed(direct, upstream_url, headers)
                    _, p, _ = timed(proxied, proxy_url, headers)
                    totals[label][0].append(d)
                    totals[label][1].append(p)
        proxy.terminate()
        proxy.wait(10)
        # Memory: a fresh proxy, so the 1 MB streams above do not set its peak.
        proxy, proxy_url = start_proxy(upstream_url)
        after_10 = 0
        with client() as proxied:
            for n in range(args.streams):
                timed(proxied, proxy_url, SMALL)
                if n == 9:
                    time.sleep(0.5)  # the checker thread finishes the streams so far
                    after_10 = peak_rss_kib(proxy.pid)
        time.sleep(0.5)
        after_all = peak_rss_kib(proxy.pid)
    finally:
        proxy.terminate()
        upstream.terminate()
        proxy.wait(10)
        upstream.wait(10)

    ms = lambda seconds: seconds * 1000  # noqa: E731
    added_first = ms(statistics.median(first_proxy) - statistics.median(first_direct))
    paired = ms(statistics.median(p - d for p, d in zip(first_proxy, first_direct)))
    growth = (after_all / after_10 - 1) * 100
    print(
        f"time to first byte, median of {args.requests} (7 KB stream): direct {ms(statistics.median(first_direct)):.2f} ms, "
        f"proxied {ms(statistics.median(first_proxy)):.2f} ms"
    )
    print(
        f"  added: {added_first:.2f} ms (median of paired differences {paired:.2f} ms)   goal <= 5 ms: {'met' if added_first <= 5 else 'NOT met'}"
    )
    for label, how in (("fast", "sent as fast as loopback goes"), ("paced", "one event a millisecond")):
        direct_times, proxy_times = totals[label]
        ratios = [p / d for d, p in zip(direct_times, proxy_times)]
        added = (statistics.median(ratios) - 1) * 100
        print(
            f"total time of a {size / 1e6:.2f} MB stream ({how}), median of {len(ratios)}: "
            f"direct {ms(statistics.median(direct_times)):.1f} ms, proxied {ms(statistics.median(proxy_times)):.1f} ms"
        )
        print(
            f"  added: {added:+.1f}% (median of paired ratios, range {(min(ratios) - 1) * 100:+.1f}% to {(max(ratios) - 1) * 100:+.1f}%)"
            f"   goal <= 2%: {'met' if added <= 2 else 'NOT met'}"
        )
    print(
        f"proxy peak RSS: {after_10 / 1024:.1f} MiB after 10 streams, {after_all / 1024:.1f} MiB after {args.streams}"
        f"   growth {growth:+.1f}%   goal within 10%: {'met' if abs(growth) <= 10 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
