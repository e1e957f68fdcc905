"""Past one machine: captures checked on a Dask cluster (`--cluster`), and fsspec URL paths.

Dask's distributed scheduler maps our pure per-file check over the workers of a cluster, from a
`LocalCluster` on this machine to one on Kubernetes, with the same client code; fsspec is the
ecosystem's way to read object storage (`s3://`, `gs://`, `az://`, `file://`, `memory://`).
Both are imported here only, and only when `--cluster` or a URL path asks for them: a pre-commit
run of `orvalidate capture.sse` never pays for them.

The client lists the files (the same extension rules as a local directory), sends them in
batches of file names (the workers read the bytes, the client never does), and gets back one
compact record per file. It hands them on in the order of the files, holding only those that
came early: at most WINDOW_PER_THREAD batches a worker thread are submitted ahead of the first
file not yet handed on, so what it holds does not grow with the number of files. A worker that dies has its batch run elsewhere (Dask's
own rescheduling); a file that fails twice is reported as not checked, never lost or counted
twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import signal
import threading
import time
from collections import deque
from typing import Any, Callable, Iterator, Sequence

from .api import NO_CAPTURES, CaptureError, FileReport, check_file, check_stream, drain
from .containers import kind_for
from .engine import StreamSummary
from .model import Finding

Result = tuple[str, "FileReport | str", float]  # what cli._results yields: path, report or error line, seconds

# Files per batch, at most. A task costs some milliseconds of CPU between the client, the
# scheduler and a worker, and a small capture a fraction of one to check (benchmarks/cluster_bench.py
# measures both; README's Benchmark part has the figures): a batch of 500 makes that cost a few
# percent of the batch's work, and ten million captures make 20,000 tasks, not ten million
# (the scheduler keeps a record of each). Fewer files make smaller batches, so that every
# worker thread gets several.
BATCH_MAX = 500
BATCHES_PER_THREAD = 4  # the fewest batches per worker thread, so the last ones end together
WINDOW_PER_THREAD = 2  # batches submitted ahead of the first one not yet handed on, per thread
ATTEMPTS = 2  # a file that failed this many times is reported as not checked
LOG_LENGTH = 8  # messages Dask keeps per stream for debugging (see _settings)

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_ADDRESS = re.compile(
    r"^dask://(?:(?P<local>local)(?::(?P<workers>[0-9]+))?|(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/\[\]]+):(?P<port>[0-9]+))$"
)

_CONTAINER_AT_ACCOUNT = ("az", "abfs", "abfss")  # adlfs: container@account, no password
_SNIFF_BLOCK = 1 << 16  # bytes fetched at a time to tell a cassette from other YAML
_OK, _UNREADABLE, _FAILED = 0, 1, 2  # the kinds of a worker's record

# A terminal's Ctrl-C reaches the whole process group: this command, which stops the run and
# closes its cluster, and dask://local's workers, which would each print a KeyboardInterrupt
# traceback as they die. Workers forked while a local cluster of ours runs ignore it.
_deaf_workers = False
_at_fork: list[bool] = []  # the hook is registered once a process


class ClusterError(CaptureError):
    """The cluster cannot be used (unreachable, no workers): exit 2 with one line."""


def is_url(path: str) -> bool:
    """Whether a path names a file through fsspec (`s3://...`) rather than the local disk."""
    return bool(_URL.match(path))


def parse_address(text: str) -> tuple[str | None, int | None]:
    """`dask://HOST:PORT` -> ("tcp://HOST:PORT", None); `dask://local[:N]` -> (None, N or the
    number of CPUs). Raises ValueError with the accepted spellings."""
    match = _ADDRESS.match(text)
    if match is None:
        raise ValueError(
            f"{text!r}: expected dask://HOST:PORT (a running Dask scheduler) or dask://local[:N] (N worker processes here)"
        )
    if match["local"]:
        workers = int(match["workers"]) if match["workers"] else (os.cpu_count() or 1)
        if workers < 1:
            raise ValueError(f"{text!r}: a local cluster needs at least one worker")
        return None, workers
    return f"tcp://{match['host']}:{match['port']}", None


def list_captures(url: str, input_format: str | None = None) -> list[str]:
    """The files a URL names, by the rules of a local path (discovery.taken): a directory (a
    prefix) gives its captures, cassettes and HAR files at any depth in sorted order, a glob its
    matches, a file itself. Paths keep the spelling of the URL given (`s3://bucket/day/` ->
    `s3://bucket/day/x.sse`). Only a .yaml/.yml file is read here, as far as its first keys, to
    tell a cassette from other YAML."""
    _refuse_credentials(url)
    try:
        import fsspec
    except ImportError:
        raise CaptureError(f"{url}: URL paths need fsspec: pip install 'orvalidate[scale]'") from None

    from functools import partial

    from .discovery import taken

    # A YAML file is read as far as its first keys: in small blocks, not in the store's own
    # (tens of MB on S3), so that telling a cassette apart does not fetch the whole of it.
    sniff = partial(fsspec.open, block_size=_SNIFF_BLOCK)

    def wanted(found: list[str]) -> list[str]:
        return sorted(p for p in found if taken(p, input_format=input_format, opener=sniff))

    try:
        fs, root = fsspec.core.url_to_fs(url)
        if any(c in root for c in "*?["):
            found = wanted([fs.unstrip_protocol(p) for p in fs.glob(root)])
            if not found:
                raise CaptureError(f"{url}: {NO_CAPTURES} match this pattern")
            return found
        if fs.isdir(root):
            prefix = url.rstrip("/")
            base = root.rstrip("/")
            found = wanted(
                [prefix + p[len(base) :] if p.startswith(base + "/") else fs.unstrip_protocol(p) for p in fs.find(root)]
            )
            if not found:
                raise CaptureError(f"{url}: {NO_CAPTURES} under this prefix")
            return found
        if not fs.isfile(root):
            raise CaptureError(f"{url}: no such file or directory")
        return [url]
    except CaptureError:
        raise
    except (ImportError, ValueError) as exc:  # a protocol whose package is not installed (s3fs, gcsfs)
        raise CaptureError(f"{url}: {_one_line(exc)}") from None
    except OSError as exc:
        raise CaptureError(f"{url}: {(exc.strerror or _one_line(exc)).lower()}") from None


def _refuse_credentials(url: str) -> None:
    """A URL's user and password (`ftp://user:secret@host/...`) would be printed with every
    finding and sent with every batch: they belong in fsspec's configuration or the
    environment (FSSPEC_FTP_USERNAME, ...), where fsspec finds them and orvalidate never sees
    them. Azure's `abfs://container@account.dfs.core.windows.net/` names no credential."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    azure = parts.scheme.lower() in _CONTAINER_AT_ACCOUNT and parts.password is None
    if "@" in parts.netloc and not azure:
        shown = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()
        raise CaptureError(
            f"{shown}: a URL with credentials in it would be printed with every finding; "
            "give them to fsspec by its configuration or the environment instead"
        )


def check_one(path: str, options: dict) -> Result:
    """One capture, a local path or a URL, checked in this process: what cli._check_file gives."""
    started = time.perf_counter()
    try:
        result: FileReport | str = _check(path, options)
    except CaptureError as exc:
        result = str(exc)
    return path, result, time.perf_counter() - started


def _check(path: str, options: dict) -> FileReport:
    """A local path as a local run checks it (api.check_file); a URL read through fsspec, a
    capture streamed through the reader, a container read whole as a local one is."""
    if not is_url(path):
        return check_file(path, **options)
    import fsspec

    kind = kind_for(path, options.get("input_format"))
    try:
        with fsspec.open(path, "rb") as stream:
            if kind is None:
                return drain(check_stream(stream, path, **options))
            data = stream.read()
    except OSError as exc:
        raise CaptureError(f"{path}: {exc.strerror or _one_line(exc)}") from None
    from .containers.check import check_bytes

    return check_bytes(data, path, kind, **options)


def check_batch(paths: list[str], options: dict) -> bytes:
    """Run on a worker: each file's compact record, (kind, what, seconds), in the order of
    `paths`, pickled as one blob. A file whose check raised is a _FAILED record with the
    error's line (the client tries it once more). One blob, not a list: Dask serialises a
    list's items one by one, each with its own header and frames, and profiling showed that in
    the workers' event loops costing more than the rest of their scheduling."""
    records: list[tuple] = []
    for path in paths:
        started = time.perf_counter()
        try:
            records.append((_OK, _compact(_check(path, options)), time.perf_counter() - started))
        except CaptureError as exc:
            records.append((_UNREADABLE, str(exc), time.perf_counter() - started))
        except Exception as exc:  # noqa: BLE001 - a bug or a worker's trouble: tried again, then reported
            records.append((_FAILED, f"{type(exc).__name__}: {_one_line(exc)}", time.perf_counter() - started))
    return pickle.dumps(records, pickle.HIGHEST_PROTOCOL)


def _compact(report: FileReport) -> tuple:
    """A FileReport as plain tuples: smaller to pickle, and no class looked up per finding."""
    return (
        report.format,
        [tuple(s) for s in report.streams],
        [tuple(f) for f in report.findings],
        report.late_suppressed,
    )


def _expand(path: str, record: tuple) -> FileReport:
    fmt, streams, findings, late = record
    return FileReport(path, fmt, [StreamSummary(*s) for s in streams], [Finding(*f) for f in findings], late)


def results(files: list[str], options: dict, address: str | None, jobs: int | None) -> Iterator[Result]:
    """Each file's result in the order of `files`: on the cluster at `address` (a --cluster
    value) or, with no cluster (URL paths checked here), in this process and forked children."""
    if "-" in files:
        raise ClusterError("-: standard input cannot be read with --cluster or URL paths; check it in a separate run")
    if address is None:
        yield from _here(files, options, jobs or os.cpu_count() or 1)
        return
    yield from _on_cluster(files, options, address)


def _here(files: list[str], options: dict, jobs: int) -> Iterator[Result]:
    from functools import partial

    from . import parallel

    if jobs > 1 and len(files) > 1 and parallel.CAN_FORK:
        yield from parallel.checked(files, partial(check_one, options=options), min(jobs, len(files)), _lost)
        return
    for path in files:
        yield check_one(path, options)


def _lost(path: str, why: str) -> Result:
    return path, f"{path}: not checked: {why}", 0.0


def batch_size(files: int, threads: int) -> int:
    """Files per batch: BATCH_MAX, or fewer so that each worker thread gets BATCHES_PER_THREAD."""
    return max(1, min(BATCH_MAX, -(-files // (max(1, threads) * BATCHES_PER_THREAD))))


def _on_cluster(files: list[str], options: dict, address: str) -> Iterator[Result]:
    scheduler, workers = parse_address(address)
    try:
        import dask
        import distributed  # noqa: F401  (both or neither: the scale extra)
    except ImportError:
        raise ClusterError("--cluster needs Dask: pip install 'orvalidate[scale]'") from None
    global _deaf_workers
    local = scheduler is None
    with dask.config.set(_settings(local)):  # for this run only: a library's caller keeps its own
        _deaf_workers = local
        if local and not _at_fork:
            os.register_at_fork(after_in_child=_deafen_worker)
            _at_fork.append(True)
        try:
            with _ctrl_c_held(local) as held:
                client, cluster = _connect(address, scheduler, workers)
            try:
                if held:  # pressed while the local cluster started: stop now that it can be closed
                    raise KeyboardInterrupt
                yield from _merged(client, files, options)
            finally:
                # Closing with batches in flight (Ctrl-C) can make Dask's pending callbacks log the
                # closed connection, traceback and all, through tornado's logger: the run's outcome is
                # decided by then, and the command's stderr is no place for Dask's teardown.
                import logging

                for name in ("tornado.application", "distributed"):
                    logging.getLogger(name).setLevel(logging.CRITICAL + 1)
                client.close(timeout=10)
                if cluster is not None:
                    cluster.close(timeout=10)
        finally:
            _deaf_workers = False


def _deafen_worker() -> None:
    """Run in every child forked by this process: a local cluster's worker ignores Ctrl-C."""
    if _deaf_workers:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _ctrl_c_held(local: bool) -> Iterator[list[bool]]:
    """While a local cluster starts, a Ctrl-C is held (the list says whether one came) so that
    the run can close what was started. Forked workers ignore it from birth (_deafen_worker);
    spawned ones inherit an ignored SIGINT, which Python leaves ignored, so while they start
    this command ignores it too."""
    held: list[bool] = []
    if not local or threading.current_thread() is not threading.main_thread():
        yield held
        return
    import dask

    spawned = dask.config.get("distributed.worker.multiprocessing-method") != "fork"
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN if spawned else (lambda *_: held.append(True)))
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


def _settings(local: bool) -> dict:
    """Dask's configuration for a run.

    Dask keeps its last messages (1,000 by default) on each stream for debugging: on the
    client's, every batch's task with its file names; on the scheduler's, which for
    dask://local is in this process, each task again. A run over many files would hold them
    all, so it keeps a few. A local cluster of ours runs a batch at most twice (ATTEMPTS) and
    has no use for the workers' statistical profiler (it samples every thread each 10 ms), nor
    for an event loop's health checked each 20 ms or the dashboard's figures each 0.5 s in
    each of its processes: what an idle cluster burns is a third of Dask's default.
    Its workers are forked from this process, which has imported Dask and orvalidate already,
    instead of spawned to import them again (half the CPU of a short run); Python 3.12 warns
    that forking a process with threads may deadlock, so there they are spawned, as Dask does
    by default.
    """
    settings: dict = {"distributed.admin.low-level-log-length": LOG_LENGTH}
    if local:
        import multiprocessing
        import sys

        fork = sys.version_info < (3, 12) and "fork" in multiprocessing.get_all_start_methods()
        settings |= {
            "distributed.scheduler.allowed-failures": ATTEMPTS - 1,
            "distributed.worker.profile.enabled": False,
            "distributed.worker.multiprocessing-method": "fork" if fork else "spawn",
            "distributed.admin.tick.interval": "1s",
            "distributed.admin.system-monitor.interval": "5s",
        }
    return settings


def _connect(address: str, scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    """A client of the scheduler, or of a LocalCluster of `workers` processes on loopback
    (their HTTP servers too, on ports of the system's choosing: nothing listens past 127.0.0.1)."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    for handler in logging.getLogger("distributed").handlers:  # its own, set up on import
        handler.setLevel(logging.ERROR)  # a rescheduled batch is Dask's note, not the report's
    if scheduler is None:
        try:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                scheduler_port=0,
                dashboard_address="127.0.0.1:0",
                worker_dashboard_address="127.0.0.1:0",  # None would mean :8787
                silence_logs=logging.CRITICAL,  # a worker's heartbeat failing as the cluster closes is no news
            )
        except (OSError, RuntimeError, TimeoutError) as exc:
            raise ClusterError(f"{address}: cannot start a local Dask cluster ({_one_line(exc)})") from None
        try:
            return Client(cluster), cluster
        except BaseException:
            cluster.close(timeout=10)
            raise
    timeout = dask.config.get("distributed.comm.timeouts.connect")
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
        raise ClusterError(f"{address}: cannot reach the Dask scheduler ({_one_line(exc)})") from None
    try:
        client.wait_for_workers(1, timeout=timeout)  # an adaptive cluster may start with none
    except (OSError, TimeoutError) as exc:
        client.close()
        raise ClusterError(f"{address}: the Dask cluster has no workers ({_one_line(exc)})") from None
    return client, None


def _merged(client: Any, files: list[str], options: dict) -> Iterator[Result]:
    """Submit batches, at most a window ahead of the first not yet handed on, and hand each
    file's result on in order as they come."""
    from distributed import as_completed

    threads = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
    size = batch_size(len(files), threads)
    starts = range(0, len(files), size)
    window = max(2, WINDOW_PER_THREAD * threads)
    running = as_completed(with_results=True, raise_errors=False)  # results fetched as they come
    owner: dict[Any, tuple[Sequence[int], int]] = {}  # future -> (indexes of its files, attempt)
    arrived: dict[int, tuple[bytes, Sequence[int], int]] = {}  # first file -> a batch's records, still pickled
    ready: dict[int, Result] = {}  # the records of the batch being handed on, and of files tried again
    suspects: deque[int] = deque()  # files of a batch whose workers died twice, to run alone
    alone: list[Any] = []  # the suspect running, if one is
    submitted = 0  # batches of `starts` submitted
    answered = 0  # files handed on

    def submit(indexes: Sequence[int], attempt: int) -> Any:
        # The options go with each batch (~150 bytes): a scattered copy dies with its workers.
        future = client.submit(check_batch, [files[i] for i in indexes], options, pure=False, retries=ATTEMPTS - 1)
        owner[future] = (indexes, attempt)
        running.add(future)
        return future

    def refill() -> None:
        nonlocal submitted
        while submitted < len(starts) and starts[submitted] < answered + window * size:
            start = starts[submitted]
            submit(range(start, min(start + size, len(files))), 1)
            submitted += 1
        if suspects and not alone:  # one at a time: a worker that dies then names its file
            alone.append(submit([suspects.popleft()], ATTEMPTS))

    try:
        refill()
        for future, outcome in running:
            indexes, attempt = owner.pop(future)
            future.release()
            if alone and future is alone[0]:
                alone.clear()
            if isinstance(outcome, bytes):  # kept pickled, a fraction of its records' size, until its turn
                arrived[indexes[0]] = (outcome, indexes, attempt)
            else:
                _settle(outcome, indexes, attempt, files, ready, submit, suspects.extend)
            while True:
                if answered in arrived:
                    _settle(*arrived.pop(answered), files, ready, submit, suspects.extend)
                if answered not in ready:
                    break
                yield ready.pop(answered)
                answered += 1
            refill()
        for i in range(answered, len(files)):  # nothing is left running: only the not checked remain
            yield ready.pop(i) if i in ready else _lost(files[i], "no result from the cluster")
    finally:
        if owner:  # Ctrl-C, an error, or the consumer stopped: the rest is not wanted
            client.cancel(list(owner))


def _settle(
    outcome: Any,
    indexes: Sequence[int],
    attempt: int,
    files: list[str],
    ready: dict[int, Result],
    submit: Callable[[Sequence[int], int], Any],
    isolate: Callable[[Sequence[int]], None],
) -> None:
    """Keep a batch's records; send what failed once more, alone; report what failed twice."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    if isinstance(outcome, tuple):  # an error comes as (type, exception, traceback)
        outcome = outcome[1]
    if isinstance(outcome, bytes):
        for i, (kind, what, seconds) in zip(indexes, pickle.loads(outcome)):
            path = files[i]
            if kind == _OK:
                ready[i] = (path, _expand(path, what), seconds)
            elif kind == _UNREADABLE:
                ready[i] = (path, what, seconds)
            elif attempt < ATTEMPTS:
                submit([i], attempt + 1)
            else:
                ready[i] = _lost(files[i], f"failed {ATTEMPTS} times on the cluster: {what}")
        return
    if isinstance(outcome, KilledWorker):  # its workers died twice (Dask ran it again once)
        if len(indexes) > 1:
            isolate(indexes)  # each file alone now, so that one bad file loses no other
            return
        why = "its worker died twice"
    elif isinstance(outcome, CancelledError) and attempt < ATTEMPTS:  # its result was lost with a worker
        submit(indexes, attempt + 1)
        return
    else:  # the task itself failed (not a file's check), and Dask's retry too
        why = f"{type(outcome).__name__}: {_one_line(outcome)}"
    for i in indexes:
        ready[i] = _lost(files[i], f"failed {ATTEMPTS} times on the cluster: {why}")


def _one_line(exc: BaseException | None) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
