"""Measure orvalidate against its five goals, side by side in one run, and print the ratios.

    pip install -e '.[bench]'
    python benchmarks/bench.py [--real ../shared/captures/real] [--repeat 5] [--skip-memory]
    python benchmarks/bench.py --first-s001    # only what the first S001 of a process costs

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
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one whole process; its output is discarded."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return time.perf_counter() - started, usage.ru_maxrss


def paired(commands: list[list[str]], repeat: int, cwd: Path | None = None) -> list[list[float]]:
    """The wall times of each command over `repeat` rounds that run them in turn: a neighbour's
    burst on this shared machine then falls on all of them, not on one ratio's side."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for command, seen in zip(commands, times):
            seen.append(run(command, cwd)[0])
    return times


def ratio(one: list[float], other: list[float]) -> tuple[float, str]:
    """The median over rounds of one's time over the other's in the same round, and the range
    of those ratios: each round's pair shared the machine's state of the moment."""
    ratios = sorted(a / b for a, b in zip(one, other))
    return statistics.median(ratios), f"rounds {ratios[0]:.2f}-{ratios[-1]:.2f}"


def median(times: list[float]) -> float:
    return statistics.median(times)


def beside_a_busy_core(command: list[str], repeat: int) -> tuple[list[float], list[float]]:
    """Wall times of `command` alone and while a spin loop runs, in turn: on a shared virtual
    machine two busy cores may slow each other (a host's hyperthreads, its clocks), which
    bounds what --jobs can gain whatever orvalidate does."""
    alone: list[float] = []
    beside: list[float] = []
    for _ in range(repeat):
        alone.append(run(command)[0])
        spin = subprocess.Popen([sys.executable, "-S", "-c", "while True: pass"])
        time.sleep(0.05)
        beside.append(run(command)[0])
        spin.kill()
        spin.wait()
    return alone, beside


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


def contender_python(work: Path) -> str:
    """The python every contender runs with: a fresh venv's, where orvalidate is installed from
    a wheel of this checkout and the base site-packages is a plain path line in a .pth.

    Users run orvalidate installed from its wheel (pre-commit, CI). The base interpreter, with
    the editable install, would load setuptools' editable finder (pathlib and more, ~8 ms) on
    every start, and this sandbox's `_sandboxing_egress_ca.pth` (certifi, ~7 ms): the base
    site-packages' .pth files run only when it is a site dir, not a path line of another .pth.
    If a step fails, it says why and falls back to the base interpreter."""
    venv, wheels, source = work / "venv", work / "wheel", work / "source"
    python = str(venv / "bin" / "python")
    steps = (
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
    )
    try:
        source.mkdir()  # a copy: building in the checkout would leave build/ there, and stale modules in it
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, source / name)
        for name in ("validator", "schemas"):
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        for step in steps:
            subprocess.run(step, capture_output=True, text=True, check=True)
        wheel = next(wheels.glob("orvalidate-*.whl"))
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", str(wheel)],
            capture_output=True,
            text=True,
            check=True,
        )
        purelib = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        base = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
        Path(purelib, "_base.pth").write_text("".join(f"{path}\n" for path in base))
        found = subprocess.run(
            [python, "-c", "import click, orjson, orvalidate; print(orvalidate.__file__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not Path(found).is_relative_to(venv):
            raise RuntimeError(f"the venv's python imports orvalidate from {found}")
        if not any(Path(found).parent.glob("__pycache__/*.pyc")):
            raise RuntimeError("the installed wheel has no bytecode")
    except (subprocess.CalledProcessError, StopIteration, RuntimeError) as error:
        why = getattr(error, "stderr", None) or str(error) or "pip wrote no wheel"
        print(f"Contenders run with the base interpreter and the editable install (the venv failed: {why.strip()})")
        compile_bytecode()
        return sys.executable
    print(
        "Contenders run with a fresh venv's python; orvalidate installed from its wheel (as pre-commit and CI "
        "install it); the base site-packages on the path without its .pth files"
    )
    return python


def check_jsonschema_command(python: str) -> list[str] | None:
    """check-jsonschema run by `python`, as orvalidate is (`-m`), or None if it is not there."""
    for command in ([python, "-m", "check_jsonschema"], [python, "-c", "from check_jsonschema import main; main()"]):
        if subprocess.run([*command, "--version"], capture_output=True).returncode == 0:
            return command
    return None


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
    usage = {
        "input_tokens": 12,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": deltas,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 12 + deltas,
    }
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
        out.write(
            line(
                {
                    "type": "response.content_part.added",
                    "item_id": item_id,
                    "output_index": 0,
                    "content_index": 0,
                    "part": empty,
                }
            )
        )
        delta = (
            '{"type":"response.output_text.delta",'
            + at
            + ',"delta":'
            + orjson.dumps(piece).decode()
            + ',"logprobs":[],"sequence_number":'
        ).encode()
        for _ in range(deltas):
            out.write(delta + str(seq).encode() + b"}\n")
            seq += 1
        full = piece * deltas
        assert len(full) == text_len
        done_part = {**empty, "text": full}
        out.write(
            line(
                {
                    "type": "response.output_text.done",
                    "item_id": item_id,
                    "output_index": 0,
                    "content_index": 0,
                    "text": full,
                    "logprobs": [],
                }
            )
        )
        out.write(
            line(
                {
                    "type": "response.content_part.done",
                    "item_id": item_id,
                    "output_index": 0,
                    "content_index": 0,
                    "part": done_part,
                }
            )
        )
        final = {**added, "status": "completed", "content": [done_part]}
        out.write(line({"type": "response.output_item.done", "output_index": 0, "item": final}))
        out.write(line({"type": "response.completed", "response": response("completed", [final], usage)}))
    return path.stat().st_size


def stages(real: Path) -> None:
    """Where orvalidate's time goes on the real corpus, in this process (after warm-up).

    The stages are told apart by leaving work out: the run with no per-event rules is reading,
    JSON and the state; the schema rule and the other rules are what each adds to a whole run.
    Run batching (fastpath.HotRun) is measured by feeding the engine the reader's records one
    event at a time, which it then never batches."""
    import orjson

    from orvalidate import api
    from orvalidate.engine import FileChecker
    from orvalidate.reader import one_by_one, read
    from orvalidate.reporters import REPORTERS
    from orvalidate.rules import registry

    files = [str(p) for p in sorted(real.iterdir()) if p.suffix in (".sse", ".jsonl")]
    api.validate_path(files[0])  # warm the lazy imports and caches

    def timed(work) -> float:
        best_s = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            work()
            best_s = min(best_s, time.perf_counter() - started)
        return best_s

    from payloads import payloads

    texts = [t for p in files for t in payloads(p) if t != b"[DONE]" and _parses(t)]
    json_s = timed(lambda: [orjson.loads(t) for t in texts])
    reports: list = []

    def check_all() -> None:
        reports[:] = [api.check_file(p) for p in files]

    batched = []

    def check_records(batching: bool) -> None:
        """Every capture through the engine, its records as read or one event at a time."""
        batched.clear()
        for path in files:
            checker = FileChecker(path)
            with open(path, "rb") as stream:
                records = read(stream, path)[1]
                for record in records if batching else one_by_one(records):
                    checker.feed(record)
            checker.close()
            batched.append(checker.batched)

    def without(leave_out) -> float:
        every = list(registry.EVENT_CHECKS)
        registry.EVENT_CHECKS[:] = [c for c in every if not leave_out(c)]
        forget()
        try:
            return timed(check_all)
        finally:
            registry.EVENT_CHECKS[:] = every
            forget()

    def forget() -> None:  # the per-type tuples of checks, made from EVENT_CHECKS and cached
        registry._BY_TYPE.clear()

    total_s = timed(check_all)
    bare_s = without(lambda c: True)
    no_schema_s = without(lambda c: c.__name__ == "schema_violation")
    report_s = timed(lambda: REPORTERS["json"](api.Report(reports), open(os.devnull, "w")))
    print(f"\nWhere the time goes ({len(texts)} events of the real corpus, one process, warm):")
    for name, seconds in (
        ("JSON (orjson)", json_s),
        ("reading, state, deltas", bare_s - json_s),
        ("schema rule", total_s - no_schema_s),
        ("other rules", no_schema_s - bare_s),
        ("reporting (json)", report_s),
    ):
        print(f"  {name:<24} {seconds:7.3f} s  {seconds / len(texts) * 1e6:7.1f} us/event")
    with_s = timed(lambda: check_records(True))
    taken = sum(batched)
    without_s = timed(lambda: check_records(False))
    print(f"\nRun batching ({taken} of {len(texts)} events taken in a run's loop; all rules, no report):")
    for name, seconds in (("with run batching", with_s), ("one event at a time", without_s)):
        print(f"  {name:<24} {seconds:7.3f} s  {seconds / len(texts) * 1e6:7.1f} us/event")


def _parses(text: bytes) -> bool:
    import orjson

    try:
        orjson.loads(text)
        return True
    except orjson.JSONDecodeError:
        return False


_FIRST_S001 = """
import sys, time
started = time.perf_counter()
from orvalidate import schemas
event = {"type": "response.output_text.delta", "sequence_number": 3, "item_id": "msg_1", "output_index": 0,
         "content_index": 0, "delta": "Hi"}
assert schemas.check_event({**event, "logprobs": []}, "openai") == []  # the predicates, loaded first
loaded = time.perf_counter()
first = schemas.check_event(event, "openai")
done = time.perf_counter()
second = schemas.check_event({**event, "sequence_number": 4}, "openai")
again = time.perf_counter()
assert first and second and "jsonschema" in sys.modules
print(done - loaded, again - done)
"""


def first_schema_finding(python: str, repeat: int) -> None:
    """What the first S001 of a process costs: python-jsonschema is imported, and the registry
    of bundled schemas and the event type's validator built, only when a compiled predicate
    first rejects an event. Measured inside fresh processes (the first failing event, then a
    second one), and as whole runs on two 18-event captures that differ by one missing field."""
    firsts, seconds = [], []
    for _ in range(repeat):
        out = subprocess.run([python, "-c", _FIRST_S001], capture_output=True, text=True, check=True).stdout.split()
        firsts.append(float(out[0]))
        seconds.append(float(out[1]))
    clean = ROOT / "fixtures" / "valid" / "openai_text.sse"
    failing = ROOT / "fixtures" / "invalid" / "S001-delta-without-logprobs.sse"
    clean_t, failing_t = paired([[python, "-m", "orvalidate", str(path)] for path in (clean, failing)], repeat)
    print(
        f"First S001 of a process: {median(firsts) * 1000:.0f} ms (import of python-jsonschema, registry, validator), "
        f"the next {median(seconds) * 1e6:.0f} us; whole runs: clean capture {median(clean_t) * 1000:.0f} ms, "
        f"the same with one S001 {median(failing_t) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "captures" / "real")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-memory", action="store_true", help="skip the 190 MB capture")
    parser.add_argument("--first-s001", action="store_true", help="only measure what the first S001 of a process costs")
    args = parser.parse_args()
    if args.first_s001:
        first_schema_finding(sys.executable, args.repeat)
        return
    if not args.real.is_dir():
        sys.exit(f"bench: the real captures are not at {args.real} (use --real)")
    sys.path.insert(0, str(HERE))
    with tempfile.TemporaryDirectory(prefix="orvalidate-bench-") as tmp:
        work = Path(tmp)
        python = contender_python(work)
        ORVALIDATE = [python, "-m", "orvalidate"]
        corpus5 = corpus_times(args.real, 5, work)
        events = int(
            subprocess.run(
                [sys.executable, str(HERE / "payloads.py"), str(corpus5)], capture_output=True, text=True
            ).stdout
        )
        print(f"Workload: the real corpus five times over, {events} payloads in {len(list(corpus5.iterdir()))} files")

        # 1. throughput against the floor, and 2. against the openai SDK, run in turn
        floor = [python, str(HERE / "floor.py"), str(corpus5)]
        ours = [*ORVALIDATE, "--jobs", "1", "--format", "json", str(corpus5)]
        sdk = [python, str(HERE / "sdk_baseline.py"), str(corpus5)]
        have_sdk = subprocess.run([python, "-c", "import openai, pydantic"], capture_output=True).returncode == 0
        floor_t, ours_t, *sdk_t = paired([floor, ours, sdk] if have_sdk else [floor, ours], args.repeat)
        slower, spread = ratio(ours_t, floor_t)
        print(
            f"\n1. Throughput: orvalidate {median(ours_t):.2f} s, floor (split + orjson) {median(floor_t):.2f} s: "
            f"ratio {slower:.1f} {verdict(slower, 5, True)} ({spread})"
        )
        if sdk_t:
            faster, spread = ratio(sdk_t[0], ours_t)
            print(
                f"2. Against the openai SDK (pydantic union + ResponseStreamState): SDK {median(sdk_t[0]):.2f} s, "
                f"orvalidate {median(ours_t):.2f} s: {faster:.1f}x faster {verdict(faster, 20, False)} ({spread})"
            )
        else:
            print("2. Against the openai SDK: skipped (pip install -e '.[bench]')")

        # 3. start-up, the pre-commit case
        small = ROOT / "fixtures" / "valid" / "openai_text.sse"
        (work / "s.json").write_text('{"type": "object"}')
        (work / "d.json").write_text("{}")
        check_jsonschema = check_jsonschema_command(python)
        if check_jsonschema:
            ours_small, theirs = paired(
                [[*ORVALIDATE, str(small)], [*check_jsonschema, "--schemafile", "s.json", "d.json"]],
                max(args.repeat, 5),
                cwd=work,
            )
            share, spread = ratio(ours_small, theirs)
            print(
                f"3. Start-up: orvalidate on one small capture {median(ours_small) * 1000:.0f} ms, check-jsonschema on a "
                f"one-line schema {median(theirs) * 1000:.0f} ms: ratio {share:.2f} {verdict(share, 1 / 3, True)} ({spread})"
            )
        else:
            ours_small = paired([[*ORVALIDATE, str(small)]], max(args.repeat, 5))[0]
            print(
                f"3. Start-up: orvalidate {median(ours_small) * 1000:.0f} ms; check-jsonschema not installed (pip install -e '.[bench]')"
            )

        # 4. memory on a 190 MB capture
        if not args.skip_memory:
            big = work / "long.jsonl"
            size = long_capture(big, 800_000)
            big_s, _ = run([*ORVALIDATE, "--jobs", "1", str(big)])
            big_rss = peak_rss([*ORVALIDATE, "--jobs", "1", str(big)])
            small_rss = peak_rss([*ORVALIDATE, "--jobs", "1", str(small)])
            raised = (big_rss - small_rss) * 1024
            print(
                f"4. Memory: a {size / 1e6:.0f} MB capture (800,000 deltas) peaks at {big_rss / 1024:.0f} MiB, "
                f"a small one at {small_rss / 1024:.0f} MiB: raised by {raised / size:.2f} of the capture's size "
                f"{verdict(raised / size, 0.25, True)} ({big_s:.1f} s)"
            )

        # 5. many files on every core
        folder = work / "many"
        folder.mkdir()
        for n, capture in enumerate(sorted(corpus5.iterdir())[:300]):
            shutil.copy(capture, folder / capture.name)
        jobs = os.cpu_count() or 1
        one_t, many_t = paired(
            [[*ORVALIDATE, "--jobs", str(n), "--format", "json", str(folder)] for n in (1, jobs)], args.repeat
        )
        faster, spread = ratio(one_t, many_t)
        print(
            f"5. {len(list(folder.iterdir()))} captures: --jobs 1 {median(one_t):.2f} s, --jobs {jobs} {median(many_t):.2f} s: "
            f"{faster:.2f}x {verdict(faster, 1.6, False)} ({spread})"
        )
        if jobs > 1:
            alone, beside = beside_a_busy_core(
                [*ORVALIDATE, "--jobs", "1", "--format", "json", str(folder)], args.repeat
            )
            slowed, spread = ratio(beside, alone)
            print(
                f"   this machine: --jobs 1 takes {median(alone):.2f} s alone, {median(beside):.2f} s while a spin loop "
                f"keeps another core busy: {slowed:.2f}x ({spread}), what two busy cores cost each other here"
            )
        first_schema_finding(python, args.repeat)
    stages(args.real)


if __name__ == "__main__":
    main()
