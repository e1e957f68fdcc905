"""Measure orvalidate against its five goals, side by side in one run, and print the ratios.

    pip install -e '.[bench]'
    python benchmarks/bench.py [--real ../shared/captures/real] [--repeat 3] [--skip-memory]

Every figure is a whole process (start-up included) timed here and now: these machines are
shared and noisy, so only ratios measured in one run mean anything. Nothing here asserts;
it prints figures, the goal and whether it is met, then where orvalidate's time goes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORVALIDATE = [sys.executable, "-m", "orvalidate"]


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one whole process; its output is discarded."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return time.perf_counter() - started, usage.ru_maxrss


def best(command: list[str], repeat: int, cwd: Path | None = None) -> tuple[float, int]:
    """The median wall time of `repeat` runs, and the largest peak RSS."""
    runs = [run(command, cwd) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


# Runs a command and prints its peak RSS in KiB. A child's peak counts the resident size of
# the process that forked it (Linux carries the high-water mark over fork), so the command is
# started from this small interpreter, not from the benchmark with its workloads in memory.
_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
    "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_rss(command: list[str]) -> int:
    """The peak RSS (KiB) of one run of `command`."""
    out = subprocess.run([sys.executable, "-S", "-c", _PEAK, *command], capture_output=True, text=True, check=True)
    return int(out.stdout)


def verdict(ratio: float, goal: float, at_most: bool) -> str:
    met = ratio <= goal if at_most else ratio >= goal
    return f"{'MET' if met else 'NOT MET'} (goal: {'<=' if at_most else '>='} {goal:g})"


def compile_bytecode() -> None:
    """Compile orvalidate's modules, as `pip install` does for an installed wheel.

    An editable install has no bytecode until Python writes it, and a machine with
    PYTHONDONTWRITEBYTECODE (this one) never does: every start would compile the sources again,
    while check-jsonschema, installed from a wheel, starts from bytecode."""
    import compileall

    import orvalidate

    compileall.compile_dir(os.path.dirname(orvalidate.__file__), quiet=1)


def corpus_times(real: Path, copies: int, into: Path) -> Path:
    """A folder holding `copies` copies of every real capture."""
    folder = into / f"corpus_x{copies}"
    folder.mkdir()
    for n in range(copies):
        for capture in sorted(real.iterdir()):
            if capture.suffix in (".sse", ".jsonl"):
                shutil.copy(capture, folder / f"{n}-{capture.name}")
    return folder


def long_capture(path: Path, deltas: int) -> int:
    """One clean stream with `deltas` text deltas, written as JSONL; returns its size."""
    sys.path.insert(0, str(ROOT / "tests"))
    from streams import response  # noqa: E402  (the tests' builder of clean streams)

    piece = "lorem ipsum dolor"  # 17 characters: 800,000 deltas make a capture of about 190 MB
    text_len = len(piece) * deltas
    item_id = "msg_bench_0123456789abcdef"
    at = f'"item_id":"{item_id}","output_index":0,"content_index":0'
    usage = {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": deltas,
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 12 + deltas}
    import orjson

    seq = 0

    def line(event: dict) -> bytes:
        nonlocal seq
        event["sequence_number"] = seq
        seq += 1
        return orjson.dumps(event) + b"\n"

    with open(path, "wb") as out:
        out.write(line({"type": "response.created", "response": response("in_progress")}))
        out.write(line({"type": "response.in_progress", "response": response("in_progress")}))
        added = {"id": item_id, "type": "message", "status": "in_progress", "content": [], "role": "assistant"}
        out.write(line({"type": "response.output_item.added", "output_index": 0, "item": added}))
        empty = {"type": "output_text", "annotations": [], "text": "", "logprobs": []}
        out.write(line({"type": "response.content_part.added", "item_id": item_id, "output_index": 0, "content_index": 0, "part": empty}))
        delta = ('{"type":"response.output_text.delta",' + at + ',"delta":' + orjson.dumps(piece).decode() + ',"logprobs":[],"sequence_number":').encode()
        for _ in range(deltas):
            out.write(delta + str(seq).encode() + b"}\n")
            seq += 1
        full = piece * deltas
        assert len(full) == text_len
        done_part = {**empty, "text": full}
        out.write(line({"type": "response.output_text.done", "item_id": item_id, "output_index": 0, "content_index": 0, "text": full, "logprobs": []}))
        out.write(line({"type": "response.content_part.done", "item_id": item_id, "output_index": 0, "content_index": 0, "part": done_part}))
        final = {**added, "status": "completed", "content": [done_part]}
        out.write(line({"type": "response.output_item.done", "output_index": 0, "item": final}))
        out.write(line({"type": "response.completed", "response": response("completed", [final], usage)}))
    return path.stat().st_size


def stages(real: Path) -> None:
    """Where orvalidate's time goes on the real corpus, in this process (after warm-up)."""
    import orjson

    from orvalidate import api, schemas
    from orvalidate.model import Event
    from orvalidate.reader import read
    from orvalidate.reporters import REPORTERS

    files = [str(p) for p in sorted(real.iterdir()) if p.suffix in (".sse", ".jsonl")]
    api.validate_path(files[0])  # warm the lazy imports and caches

    def timed(work) -> float:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    from payloads import payloads

    texts = [t for p in files for t in payloads(p) if t != b"[DONE]" and _parses(t)]
    json_s = timed(lambda: [orjson.loads(t) for t in texts])
    events: list[dict] = []

    def read_all() -> None:
        for path in files:
            with open(path, "rb") as f:
                events.extend(r.payload for r in read(f, path)[1] if isinstance(r, Event) and r.payload)

    read_s = timed(read_all)
    known = schemas.known_types("openai")

    def check_schemas() -> None:  # what the schema rule does: the compiled predicate, schema_errors on a failure
        for e in events:
            if e["type"] in known and not schemas.quick_check("openai", e["type"])(e):
                schemas.check_event(e, "openai")

    schema_s = timed(check_schemas)
    reports: list = []
    total_s = timed(lambda: reports.extend(api.check_file(p) for p in files))
    report_s = timed(lambda: REPORTERS["json"](api.Report(reports), open(os.devnull, "w")))
    rules_s = max(total_s - read_s - schema_s, 0.0)
    print(f"\nWhere the time goes ({len(events)} events of the real corpus, one process, warm):")
    for name, seconds in (
        ("reading and framing", read_s - json_s),
        ("JSON (orjson)", json_s),
        ("schemas", schema_s),
        ("rules and engine", rules_s),
        ("reporting (json)", report_s),
    ):
        print(f"  {name:<22} {seconds:7.3f} s  {seconds / len(events) * 1e6:7.1f} us/event")


def _parses(text: bytes) -> bool:
    import orjson

    try:
        orjson.loads(text)
        return True
    except orjson.JSONDecodeError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "captures" / "real")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true", help="skip the 190 MB capture")
    args = parser.parse_args()
    if not args.real.is_dir():
        sys.exit(f"bench: the real captures are not at {args.real} (use --real)")
    sys.path.insert(0, str(HERE))
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="orvalidate-bench-") as tmp:
        work = Path(tmp)
        corpus5 = corpus_times(args.real, 5, work)
        events = int(subprocess.run([sys.executable, str(HERE / "payloads.py"), str(corpus5)], capture_output=True, text=True).stdout)
        print(f"Workload: the real corpus five times over, {events} payloads in {len(list(corpus5.iterdir()))} files")

        # 1. throughput against the floor
        floor_s, _ = best([sys.executable, str(HERE / "floor.py"), str(corpus5)], args.repeat)
        ours_s, _ = best([*ORVALIDATE, "--jobs", "1", "--format", "json", str(corpus5)], args.repeat)
        print(f"\n1. Throughput: orvalidate {ours_s:.2f} s, floor (split + orjson) {floor_s:.2f} s: "
              f"ratio {ours_s / floor_s:.1f} {verdict(ours_s / floor_s, 5, True)}")

        # 2. against the openai SDK
        try:
            sdk_s, _ = best([sys.executable, str(HERE / "sdk_baseline.py"), str(corpus5)], args.repeat)
            print(f"2. Against the openai SDK (pydantic union + ResponseStreamState): SDK {sdk_s:.2f} s, "
                  f"orvalidate {ours_s:.2f} s: {sdk_s / ours_s:.1f}x faster {verdict(sdk_s / ours_s, 20, False)}")
        except FileNotFoundError:
            print("2. Against the openai SDK: skipped (pip install -e '.[bench]')")

        # 3. start-up, the pre-commit case
        small = ROOT / "fixtures" / "valid" / "openai_text.sse"
        (work / "s.json").write_text('{"type": "object"}')
        (work / "d.json").write_text("{}")
        ours_small, _ = best([*ORVALIDATE, str(small)], max(args.repeat, 5))
        check_jsonschema = shutil.which("check-jsonschema")
        if check_jsonschema:
            theirs, _ = best([check_jsonschema, "--schemafile", "s.json", "d.json"], max(args.repeat, 5), cwd=work)
            print(f"3. Start-up: orvalidate on one small capture {ours_small * 1000:.0f} ms, check-jsonschema on a "
                  f"one-line schema {theirs * 1000:.0f} ms: ratio {ours_small / theirs:.2f} {verdict(ours_small / theirs, 1 / 3, True)}")
        else:
            print(f"3. Start-up: orvalidate {ours_small * 1000:.0f} ms; check-jsonschema not installed (pip install -e '.[bench]')")

        # 4. memory on a 190 MB capture
        if not args.skip_memory:
            big = work / "long.jsonl"
            size = long_capture(big, 800_000)
            big_s, _ = best([*ORVALIDATE, "--jobs", "1", str(big)], 1)
            big_rss = peak_rss([*ORVALIDATE, "--jobs", "1", str(big)])
            small_rss = peak_rss([*ORVALIDATE, "--jobs", "1", str(small)])
            raised = (big_rss - small_rss) * 1024
            print(f"4. Memory: a {size / 1e6:.0f} MB capture (800,000 deltas) peaks at {big_rss / 1024:.0f} MiB, "
                  f"a small one at {small_rss / 1024:.0f} MiB: raised by {raised / size:.2f} of the capture's size "
                  f"{verdict(raised / size, 0.25, True)} ({big_s:.1f} s)")

        # 5. many files on every core
        folder = work / "many"
        folder.mkdir()
        for n, capture in enumerate(sorted(corpus5.iterdir())[:300]):
            shutil.copy(capture, folder / capture.name)
        one_s, _ = best([*ORVALIDATE, "--jobs", "1", "--format", "json", str(folder)], args.repeat)
        jobs = os.cpu_count() or 1
        many_s, _ = best([*ORVALIDATE, "--jobs", str(jobs), "--format", "json", str(folder)], args.repeat)
        print(f"5. {len(list(folder.iterdir()))} captures: --jobs 1 {one_s:.2f} s, --jobs {jobs} {many_s:.2f} s: "
              f"{one_s / many_s:.2f}x {verdict(one_s / many_s, 1.6, False)}")
    stages(args.real)


if __name__ == "__main__":
    main()
