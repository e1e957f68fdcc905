"""What `--cluster` costs against `--jobs`, and what the client holds, measured in one run.

    pip install -e '.[scale]'
    python benchmarks/cluster_bench.py [--files 20000] [--small 2000] [--repeat 2]

It writes a corpus of small captures, copies of the fixtures (valid and invalid, by turns) under
distinct names, and runs as whole processes, in turn over `--repeat` rounds:
`--cluster dask://local:2`, `--jobs 2` and `--jobs 1` on all of it, and the cluster with batches
of 20 files instead of BATCH_MAX. Total CPU time is the process's and all its descendants'
(worker processes included: each level waits for its children, so the kernel adds theirs to
its parent's); the client's peak RSS is its own (read just before it exits). Nothing asserts:
it prints figures, ratios of the same round, and the goals.

From them: the cost of one event (`--jobs 1` CPU over the corpus's events) and the overhead of
one batch on the cluster (the CPU the small batches add, over the batches they add), which
README's Benchmark part turns into the cost of a ten-million-capture day.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = (".sse", ".jsonl", ".ndjson")

# Runs the command line in this interpreter and, as it ends, writes its own peak RSS (KiB, Linux) to
# the file named by $PEAK_FILE. ORVALIDATE_BENCH_BATCH sets the cluster's batch size.
WRAPPER = """
import os, sys
import orvalidate.cli as cli
peak = os.environ["PEAK_FILE"]  # read now: the environment may change under Dask
if os.environ.get("ORVALIDATE_BENCH_BATCH"):
    import orvalidate.cluster as cluster
    cluster.BATCH_MAX = int(os.environ["ORVALIDATE_BENCH_BATCH"])
exit_now = cli._exit_now
def noted(code):
    with open("/proc/self/status") as status:  # VmHWM, not ru_maxrss: that keeps the forking parent's
        kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(peak, "w") as out:
        out.write(kib)
    exit_now(code)
cli._exit_now = noted
sys.argv[0] = "orvalidate"
cli.run()
"""


def corpus(folder: Path, count: int) -> Path:
    """`count` captures: the fixtures' valid and invalid captures in turn, each under a new name."""
    sources = sorted(p for p in (ROOT / "fixtures").rglob("*") if p.suffix in EXTENSIONS)
    valid = [p for p in sources if p.parent.name == "valid"]
    invalid = [p for p in sources if p.parent.name == "invalid"]
    target = folder / f"corpus-{count}"
    for n in range(count):
        source = valid[(n // 2) % len(valid)] if n % 2 == 0 else invalid[(n // 2) % len(invalid)]
        shelf = target / f"{n // 1000:03d}"
        shelf.mkdir(parents=True, exist_ok=True)
        (shelf / f"{n:06d}-{source.name}").write_bytes(source.read_bytes())
    return target


def start_cluster(folder: Path) -> tuple[str, list[subprocess.Popen]]:
    """A running cluster, as production has one: `dask scheduler` and two one-thread `dask
    worker`s on 127.0.0.1, started once, before the rounds (the profiler off, as dask://local has it)."""
    from distributed import Client

    scheduler_file = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED="False")
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    started = [
        subprocess.Popen(
            [
                *dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dashboard-address",
                "127.0.0.1:0",
                "--scheduler-file",
                str(scheduler_file),
            ],
            **quiet,
        )
    ]
    while not scheduler_file.exists():
        time.sleep(0.1)
    for _ in range(2):
        started.append(
            subprocess.Popen(
                [
                    *dask,
                    "worker",
                    "--host",
                    "127.0.0.1",
                    "--dashboard-address",
                    "127.0.0.1:0",
                    "--nthreads",
                    "1",
                    "--scheduler-file",
                    str(scheduler_file),
                ],
                **quiet,
            )
        )
    with Client(scheduler_file=str(scheduler_file), timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
        return client.scheduler.address.replace("tcp://", "dask://"), started


def stop_cluster(started: list[subprocess.Popen]) -> None:
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
    for process in started:
        process.wait(30)


def tree_cpu(started: list[subprocess.Popen]) -> float:
    """CPU seconds so far of these processes and their descendants (the nannies' workers)."""
    import psutil

    total = 0.0
    for process in started:
        parent = psutil.Process(process.pid)
        for each in [parent, *parent.children(recursive=True)]:
            times = each.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def run(
    args: list[str], peak_file: Path, batch: int | None = None, cluster: list[subprocess.Popen] | None = None
) -> dict:
    """One whole process: wall seconds, CPU seconds of it and its descendants (and of the running
    cluster's processes meanwhile), client peak RSS."""
    env = dict(os.environ, PEAK_FILE=str(peak_file))
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI"):
        env.pop(name, None)
    if batch:
        env["ORVALIDATE_BENCH_BATCH"] = str(batch)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cluster_before = tree_cpu(cluster) if cluster else 0.0
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], cwd=ROOT, capture_output=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1) or not peak_file.exists():
        sys.exit(f"{' '.join(args)}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if cluster:
        cpu += tree_cpu(cluster) - cluster_before
    rss = int(peak_file.read_text())
    peak_file.unlink()
    return {"wall": wall, "cpu": cpu, "rss_kib": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000, help="the smaller corpus, for the client's peak RSS")
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    from orvalidate import cluster

    with tempfile.TemporaryDirectory(prefix="orvalidate-cluster-bench-") as home:
        folder = Path(home)
        big, small = corpus(folder, options.files), corpus(folder, options.small)
        peak = folder / "peak"
        report = folder / "report.json"
        common = ["--format", "json", "-o", str(report)]
        address, running = start_cluster(folder)
        try:
            contenders = {
                "local:2": (["--cluster", "dask://local:2", *common, str(big)], None, None),
                "running": (["--cluster", address, *common, str(big)], None, running),
                "jobs2": (["--jobs", "2", *common, str(big)], None, None),
                "jobs1": (["--jobs", "1", *common, str(big)], None, None),
                "running-batch20": (["--cluster", address, *common, str(big)], 20, running),
            }
            seen: dict[str, list[dict]] = {name: [] for name in contenders}
            reports: dict[str, bytes] = {}
            for _ in range(options.repeat):
                for name, (args, batch, cluster_processes) in contenders.items():
                    seen[name].append(run(args, peak, batch, cluster_processes))
                    reports[name] = report.read_bytes()
            same = len(set(reports.values())) == 1
            summary = json.loads(reports["jobs1"])["summary"]
            small_runs = [
                run(["--cluster", "dask://local:2", *common, str(small)], peak) for _ in range(options.repeat)
            ]
            small_local = [run(["--jobs", "1", *common, str(small)], peak) for _ in range(options.repeat)]
        finally:
            stop_cluster(running)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in seen[name])

    def ratio(one: str, other: str, key: str = "cpu") -> str:
        ratios = sorted(a[key] / b[key] for a, b in zip(seen[one], seen[other]))
        return f"{statistics.median(ratios):.3f} (rounds {ratios[0]:.3f}-{ratios[-1]:.3f})"

    files, events = summary["files"], summary["events"]
    print(
        f"corpus: {files} captures, {events} events ({events / files:.1f} an event a capture), {summary['errors']} errors; "
        f"reports identical across contenders: {same}"
    )
    print("local:2 = --cluster dask://local:2 (starts and stops its cluster); running = --cluster to a running")
    print("scheduler + 2 workers on 127.0.0.1 (their CPU during the run counted)")
    print(f"{'contender':<18}{'wall s':>9}{'CPU s':>9}{'client RSS MiB':>16}")
    for name in seen:
        print(f"{name:<18}{med(name, 'wall'):>9.2f}{med(name, 'cpu'):>9.2f}{med(name, 'rss_kib') / 1024:>16.1f}")
    print(f"CPU local:2 / jobs 2: {ratio('local:2', 'jobs2')}   goal <= 1.15")
    print(f"CPU running / jobs 2: {ratio('running', 'jobs2')}   goal <= 1.15")
    print(f"CPU jobs 2 / jobs 1:  {ratio('jobs2', 'jobs1')};  CPU local:2 / jobs 1: {ratio('local:2', 'jobs1')}")
    print(
        f"wall local:2 / jobs 1: {ratio('local:2', 'jobs1', 'wall')};  wall jobs 2 / jobs 1: {ratio('jobs2', 'jobs1', 'wall')}"
    )
    print(
        f"wall local:2 / jobs 2: {ratio('local:2', 'jobs2', 'wall')};  wall running / jobs 2: {ratio('running', 'jobs2', 'wall')}"
    )
    rss_small = statistics.median(r["rss_kib"] for r in small_runs)
    rss_big = med("local:2", "rss_kib")
    print(
        f"client peak RSS (local:2), {options.files} vs {options.small} files: {rss_big / 1024:.1f} vs {rss_small / 1024:.1f} MiB, "
        f"ratio {rss_big / rss_small:.3f}   goal <= 1.10"
    )
    local_small = statistics.median(r["rss_kib"] for r in small_local)
    local_big = med("jobs1", "rss_kib")
    print(
        f"  the same with --jobs 1: {local_big / 1024:.1f} vs {local_small / 1024:.1f} MiB, ratio {local_big / local_small:.3f}; "
        f"per extra file: {(local_big - local_small) / (options.files - options.small) * 1024:.0f} bytes there, "
        f"{(rss_big - rss_small) / (options.files - options.small) * 1024:.0f} on the cluster's client"
    )
    size = cluster.batch_size(files, 2)
    batches_big, batches_small = -(-files // size), -(-files // min(20, size))
    per_event = med("jobs1", "cpu") / events
    per_batch = (med("running-batch20", "cpu") - med("running", "cpu")) / (batches_small - batches_big)
    print(f"per event (jobs 1 CPU / events): {per_event * 1e6:.1f} us")
    print(
        f"per batch on the running cluster ((CPU batch 20 - CPU batch {size}) / ({batches_small} - {batches_big}) batches): "
        f"{per_batch * 1e3:.2f} ms"
    )
    print(
        f"running cluster, CPU beyond jobs 1 and its batches: {med('running', 'cpu') - med('jobs1', 'cpu') - batches_big * per_batch:.2f} s; "
        f"local:2 beyond running: {med('local:2', 'cpu') - med('running', 'cpu'):.2f} s (its start and stop)"
    )


if __name__ == "__main__":
    main()
