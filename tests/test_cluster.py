"""--cluster and fsspec URL paths: a real Dask cluster on 127.0.0.1 gives a local run's report.

The module's cluster is a `dask scheduler` and two `dask worker` processes (each under a nanny
that starts a new worker when one dies) on loopback, dashboards off, with the faults of
tests/cluster_faults.py preloaded. Every run of the command line is a subprocess, as a user's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import FIXTURES, REAL, ROOT

pytest.importorskip("distributed", reason="the scale extra (dask[distributed]) is not installed")
pytest.importorskip("fsspec", reason="the scale extra (fsspec) is not installed")

FORMATS = ("json", "text", "sarif", "junit", "gitlab", "github")
QUIET = dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="3s")
for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "FORCE_COLOR"):  # the same output in CI as here
    QUIET.pop(name, None)


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orvalidate", *args], cwd=ROOT, capture_output=True, timeout=timeout, env=QUIET
    )


class Cluster(NamedTuple):
    address: str  # dask://127.0.0.1:PORT
    client: object  # the test's own distributed.Client, to see and kill workers
    marks: Path


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:  # each in its own session, with its nanny's children
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    from distributed import Client

    home = tmp_path_factory.mktemp("cluster")
    marks = home / "marks"
    marks.mkdir()
    scheduler_file = home / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    env = dict(QUIET, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1", ORVALIDATE_FAULT_MARKS=str(marks))
    log = open(home / "dask.log", "wb")
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
            stdout=log,
            stderr=log,
            env=env,
            start_new_session=True,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert time.monotonic() < deadline and started[0].poll() is None, (home / "dask.log").read_text()
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
                        "--death-timeout",
                        "60",
                        "--preload",
                        str(ROOT / "tests" / "cluster_faults.py"),
                        "--scheduler-file",
                        str(scheduler_file),
                    ],
                    stdout=log,
                    stderr=log,
                    env=env,
                    start_new_session=True,
                )
            )
        client = Client(scheduler_file=str(scheduler_file), timeout=30)
        client.wait_for_workers(2, timeout=60)
        address = client.scheduler.address.replace("tcp://", "dask://")
        assert _listening(started) == {"127.0.0.1"}
        yield Cluster(address, client, marks)
        client.close()
    finally:
        _stop(started)
        log.close()


def _listening(processes: list[subprocess.Popen]) -> set[str]:
    """The addresses these processes and their children listen on."""
    import psutil

    found = set()
    for process in processes:
        parent = psutil.Process(process.pid)
        for each in [parent, *parent.children(recursive=True)]:
            found |= {c.laddr.ip for c in each.net_connections("inet") if c.status == psutil.CONN_LISTEN}
    return found


def _corpus(tmp_path: Path, *extra: str) -> Path:
    """Fixtures (valid and invalid) copied under tmp_path, plus copies of a valid one named `extra`."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES, corpus)
    for name in extra:
        shutil.copy(FIXTURES / "valid" / "openrouter_text.sse", corpus / "valid" / name)
    return corpus


def test_every_format_matches_a_local_run(cluster: Cluster) -> None:
    paths = [str(FIXTURES)] + ([str(REAL)] if REAL.is_dir() else [])
    for output_format in FORMATS:
        here = run("--format", output_format, *paths)
        there = run("--cluster", cluster.address, "--format", output_format, *paths)
        assert (there.returncode, there.stdout, there.stderr) == (here.returncode, here.stdout, here.stderr), (
            output_format
        )
        assert here.returncode == 1 and here.stdout


def test_real_captures_match_a_local_run(cluster: Cluster, real_captures: Path) -> None:
    here = run("--format", "json", "--jobs", "1", str(real_captures))
    there = run("--cluster", cluster.address, "--format", "json", str(real_captures))
    assert (there.returncode, there.stdout, there.stderr) == (here.returncode, here.stdout, here.stderr)
    assert b'"path": "' + str(real_captures).encode() in there.stdout


def test_local_cluster_matches_a_local_run() -> None:
    here = run("--format", "json", str(FIXTURES))
    there = run("--cluster", "dask://local:2", "--format", "json", str(FIXTURES))
    assert (there.returncode, there.stdout, there.stderr) == (here.returncode, here.stdout, here.stderr)


def test_file_urls_are_read_on_the_workers(cluster: Cluster) -> None:
    here = run("--format", "json", "fixtures")
    there = run("--cluster", cluster.address, "--format", "json", "file://fixtures")
    assert there.returncode == here.returncode == 1
    assert b'"path": "file://fixtures/invalid/' in there.stdout
    assert there.stdout.replace(b'"file://fixtures/', b'"fixtures/') == here.stdout


def test_memory_urls_are_listed_and_read_like_a_directory(tmp_path: Path) -> None:
    import fsspec
    from click.testing import CliRunner

    from orvalidate.cli import main

    fs = fsspec.filesystem("memory")
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file():
            fs.pipe(f"/orvalidate-test/{path.relative_to(FIXTURES)}", path.read_bytes())
    try:
        runner = CliRunner()
        here = runner.invoke(main, ["--format", "json", "--jobs", "1", str(FIXTURES)])
        for jobs in ("1", "2"):
            there = runner.invoke(main, ["--format", "json", "--jobs", jobs, "memory://orvalidate-test/"])
            assert there.exit_code == here.exit_code == 1
            assert there.stdout.replace('"memory://orvalidate-test/', f'"{FIXTURES}/') == here.stdout
        missing = runner.invoke(main, ["memory://orvalidate-test/nothing-here"])
        assert (
            missing.exit_code == 2
            and missing.stderr == "orvalidate: memory://orvalidate-test/nothing-here: no such file or directory\n"
        )
    finally:
        fs.rm("/orvalidate-test", recursive=True)


def test_cassettes_and_har_files_as_a_local_run_reads_them(cluster: Cluster, tmp_path: Path) -> None:
    """A folder's cassettes and HAR files are checked inside, on the workers and through URLs,
    and its other YAML files are left alone, as a local run does: one rule, discovery.taken."""
    import fsspec

    from containers_helpers import har_entry, record_one, write_har
    from loopback import LoopbackServer

    root = tmp_path / "recorded"
    root.mkdir()
    capture = FIXTURES / "invalid" / "D001-no-output-text-done.sse"
    with LoopbackServer() as server:
        record_one(server, root, capture)
    write_har(root / "session.har", [har_entry("https://api.openai.com/v1/responses", capture.read_bytes())])
    (root / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n")
    (root / "broken.yaml").write_text("a: [\n")
    shutil.copy(FIXTURES / "valid" / "openrouter_text.sse", root / "plain.sse")
    here = run("--format", "json", "--jobs", "1", str(root))
    assert here.returncode == 1
    assert [f["path"] for f in json.loads(here.stdout)["files"]] == [
        str(root / name) for name in ("D001-no-output-text-done.yaml", "plain.sse", "session.har")
    ]
    assert b'"kind": "har"' in here.stdout and b'"kind": "cassette"' in here.stdout
    there = run("--cluster", cluster.address, "--format", "json", str(root))
    assert (there.returncode, there.stdout, there.stderr) == (here.returncode, here.stdout, here.stderr)
    through_url = run("--cluster", cluster.address, "--format", "json", f"file://{root}")
    assert through_url.returncode == 1
    assert through_url.stdout.replace(f'"file://{root}'.encode(), f'"{root}'.encode()) == here.stdout
    fs = fsspec.filesystem("memory")
    for path in root.iterdir():
        fs.pipe(f"/orvalidate-containers/{path.name}", path.read_bytes())
    try:
        from click.testing import CliRunner

        from orvalidate.cli import main

        in_memory = CliRunner().invoke(main, ["--format", "json", "--jobs", "1", "memory://orvalidate-containers/"])
        assert in_memory.exit_code == 1
        assert in_memory.stdout.replace('"memory://orvalidate-containers', f'"{root}') == here.stdout.decode()
    finally:
        fs.rm("/orvalidate-containers", recursive=True)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://bob:hunter2@127.0.0.1:{port}/day/",
        "sftp://bob:hunter2@127.0.0.1:{port}/day/x.sse",
        "http://hunter2@127.0.0.1:{port}/x.sse",
        "abfs://box:hunter2@127.0.0.1:{port}/x.sse",
    ],
)
def test_a_url_with_credentials_is_refused_unprinted_and_unopened(url: str) -> None:
    from click.testing import CliRunner

    from orvalidate.cli import main

    with socket.create_server(("127.0.0.1", 0)) as listener:
        url = url.format(port=listener.getsockname()[1])
        result = CliRunner().invoke(main, [url])
        listener.settimeout(0.2)
        with pytest.raises(TimeoutError):  # nothing tried to connect
            listener.accept()
    assert result.exit_code == 2 and "hunter2" not in result.output + result.stderr
    scheme, _, rest = url.partition("://")
    assert result.stderr == (
        f"orvalidate: {scheme}://***@{rest.partition('@')[2]}: a URL with credentials in it would be printed "
        "with every finding; give them to fsspec by its configuration or the environment instead\n"
    )


def test_a_worker_killed_mid_batch_loses_nothing(cluster: Cluster, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "m-slow.sse")
    for mark in cluster.marks.iterdir():
        mark.unlink()
    here = run("--format", "json", str(corpus))
    command = [sys.executable, "-m", "orvalidate", "--cluster", cluster.address, "--format", "json", str(corpus)]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=QUIET) as there:
        deadline = time.monotonic() + 60
        while not any(cluster.marks.iterdir()):
            assert time.monotonic() < deadline and there.poll() is None
            time.sleep(0.05)
        victim = int(next(cluster.marks.iterdir()).name)  # the worker inside the slow file's batch
        os.kill(victim, signal.SIGKILL)
        stdout, stderr = there.communicate(timeout=120)
    assert (there.returncode, stdout, stderr) == (here.returncode, here.stdout, here.stderr)
    tried_on = {int(mark.name) for mark in cluster.marks.iterdir()}
    assert victim in tried_on and len(tried_on) == 2  # the batch ran again, in another process
    cluster.client.wait_for_workers(2, timeout=60)  # the nanny's new worker, for the next tests


def test_the_client_submits_only_a_window_ahead(cluster: Cluster, tmp_path: Path) -> None:
    """While a slow file holds the head of the merge, no batch past WINDOW_PER_THREAD a worker
    thread is submitted: what the client keeps does not grow with the files."""
    from orvalidate.cluster import WINDOW_PER_THREAD, batch_size

    corpus = _corpus(tmp_path)
    shutil.copy(FIXTURES / "valid" / "openrouter_text.sse", corpus / "0-slow.sse")  # first in path order
    files = sum(1 for p in corpus.rglob("*") if p.suffix in (".sse", ".jsonl", ".ndjson"))
    batches, window = -(-files // batch_size(files, 2)), WINDOW_PER_THREAD * 2
    assert batches > window
    for mark in cluster.marks.iterdir():
        mark.unlink()

    def install(dask_scheduler) -> None:  # by value to the scheduler: it counts the batches it is given
        from distributed.diagnostics.plugin import SchedulerPlugin

        class Batches(SchedulerPlugin):
            name = "orvalidate-batches"

            def __init__(self) -> None:
                self.keys: set = set()

            def transition(self, key, start, finish, *args, **kwargs) -> None:
                if "check_batch" in str(key):
                    self.keys.add(key)

        dask_scheduler.add_plugin(Batches())

    def given(dask_scheduler) -> int:
        return len(dask_scheduler.plugins["orvalidate-batches"].keys)

    def remove(dask_scheduler) -> None:
        dask_scheduler.remove_plugin(name="orvalidate-batches")

    here = run("--format", "json", str(corpus))
    cluster.client.run_on_scheduler(install)
    try:
        report = tmp_path / "report.json"
        command = [sys.executable, "-m", "orvalidate", "--cluster", cluster.address, "--format", "json", "-o"]
        with subprocess.Popen([*command, str(report), str(corpus)], cwd=ROOT, env=QUIET) as there:
            deadline = time.monotonic() + 60
            while not any(cluster.marks.iterdir()):
                assert time.monotonic() < deadline and there.poll() is None
                time.sleep(0.05)
            time.sleep(0.5)  # the window's other batches are done by now; the slow file has 1.5 s to go
            during = cluster.client.run_on_scheduler(given)
            assert there.wait(60) == here.returncode
        assert (during, cluster.client.run_on_scheduler(given)) == (window, batches)
        assert report.read_bytes() == here.stdout
    finally:
        cluster.client.run_on_scheduler(remove)


def test_a_file_failing_twice_is_not_checked_and_named(cluster: Cluster, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "x-raise-always.sse")
    there = run("--cluster", cluster.address, "--format", "json", str(corpus))
    bad = corpus / "valid" / "x-raise-always.sse"
    assert there.returncode == 2
    assert (
        there.stderr.decode().splitlines()[0]
        == f"orvalidate: {bad}: not checked: failed 2 times on the cluster: RuntimeError: injected fault"
    )
    bad.unlink()  # every other file is in the report, once
    assert there.stdout == run("--format", "json", str(corpus)).stdout


def test_a_file_that_kills_its_workers_is_not_checked_and_loses_no_other(cluster: Cluster, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "x-die-always.sse")
    there = run("--cluster", cluster.address, "--format", "json", str(corpus), timeout=180)
    bad = corpus / "valid" / "x-die-always.sse"
    assert there.returncode == 2, there.stderr.decode()
    assert (
        there.stderr.decode().splitlines()[0]
        == f"orvalidate: {bad}: not checked: failed 2 times on the cluster: its worker died twice"
    )
    bad.unlink()
    assert there.stdout == run("--format", "json", str(corpus)).stdout
    cluster.client.wait_for_workers(2, timeout=60)


def test_ctrl_c_cancels_the_work(cluster: Cluster, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, "m-slow.sse")
    for mark in cluster.marks.iterdir():
        mark.unlink()
    command = [sys.executable, "-m", "orvalidate", "--cluster", cluster.address, str(corpus)]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=QUIET) as there:
        deadline = time.monotonic() + 60
        while not any(cluster.marks.iterdir()):
            assert time.monotonic() < deadline and there.poll() is None, there.communicate()[1].decode()
            time.sleep(0.05)
        there.send_signal(signal.SIGINT)
        stdout, stderr = there.communicate(timeout=60)
    assert there.returncode == 130 and b"Traceback" not in stderr and stdout == b"", stderr.decode()

    def tasks(dask_scheduler) -> int:
        return sum(1 for key in dask_scheduler.tasks if "check_batch" in str(key))

    deadline = time.monotonic() + 30
    while cluster.client.run_on_scheduler(tasks):
        assert time.monotonic() < deadline, "the interrupted run's tasks are still on the scheduler"
        time.sleep(0.1)


def test_ctrl_c_on_a_local_cluster_is_quiet(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches the whole process group, dask://local's workers too: the
    command says 130 and nothing else, no worker prints its KeyboardInterrupt, none is left."""
    import psutil

    corpus = tmp_path / "many"
    corpus.mkdir()
    for n in range(2000):  # a few seconds of work for two workers: the signal comes mid-run
        shutil.copy(FIXTURES / "valid" / "openrouter_text.sse", corpus / f"{n:05d}.sse")
    command = [sys.executable, "-m", "orvalidate", "--cluster", "dask://local:2", str(corpus)]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=QUIET, start_new_session=True
    ) as there:
        deadline = time.monotonic() + 60
        while len(psutil.Process(there.pid).children(recursive=True)) < 2:  # the workers are up
            assert time.monotonic() < deadline and there.poll() is None, there.communicate()[1].decode()
            time.sleep(0.05)
        os.killpg(there.pid, signal.SIGINT)
        stdout, stderr = there.communicate(timeout=60)
    assert there.returncode == 130, stderr.decode()
    assert stderr == b"", stderr.decode()
    time.sleep(1)
    left = [p for p in psutil.process_iter(["pid"]) if _group(p.pid) == there.pid]
    assert not left, left


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def test_an_unreachable_scheduler_is_one_line() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    there = run("--cluster", f"dask://127.0.0.1:{port}", str(FIXTURES))
    assert there.returncode == 2 and there.stdout == b""
    lines = there.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"orvalidate: dask://127.0.0.1:{port}: cannot reach the Dask scheduler"
    )


def test_a_scheduler_without_workers_is_one_line(tmp_path: Path) -> None:
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dask",
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=QUIET,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert time.monotonic() < deadline and scheduler.poll() is None
            time.sleep(0.1)
        import json

        address = json.loads(scheduler_file.read_text())["address"].replace("tcp://", "dask://")
        there = run("--cluster", address, str(FIXTURES))
    finally:
        _stop([scheduler])
    assert there.returncode == 2 and there.stdout == b""
    lines = there.stderr.decode().splitlines()  # Dask's own words in brackets after it
    assert len(lines) == 1 and lines[0].startswith(f"orvalidate: {address}: the Dask cluster has no workers (")


@pytest.mark.parametrize("address", ["dask://", "tcp://127.0.0.1:8786", "dask://local:0", "dask://host"])
def test_a_malformed_address_is_a_usage_error(address: str) -> None:
    there = run("--cluster", address, str(FIXTURES))
    assert there.returncode == 2 and b"Traceback" not in there.stderr and b"--cluster" in there.stderr


def test_stdin_is_refused_on_a_cluster() -> None:
    there = run("--cluster", "dask://local:1", "-")
    assert there.returncode == 2 and there.stderr.decode().splitlines() == [
        "orvalidate: -: standard input cannot be read with --cluster or URL paths; check it in a separate run"
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cluster", "dask://local:2", "fixtures/valid"], "--cluster needs Dask: pip install 'orvalidate[scale]'"),
        (["memory://day/"], "memory://day/: URL paths need fsspec: pip install 'orvalidate[scale]'"),
    ],
)
def test_without_the_scale_extra_one_line_says_what_to_install(args: list[str], message: str) -> None:
    hide = "import sys; sys.modules.update(dict.fromkeys(['dask', 'distributed', 'fsspec']))"  # None: not installed
    command = f"{hide}; sys.argv = ['orvalidate', *{args!r}]; from orvalidate.cli import run; run()"
    done = subprocess.run([sys.executable, "-c", command], cwd=ROOT, capture_output=True, timeout=60, env=QUIET)
    assert (done.returncode, done.stdout, done.stderr.decode()) == (2, b"", f"orvalidate: {message}\n")


def test_a_plain_check_imports_neither_dask_nor_fsspec() -> None:
    there = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "orvalidate", "fixtures/valid/openrouter_text.sse"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        env=QUIET,
    )
    assert there.returncode == 0
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in there.stderr.decode().splitlines()
        if line.startswith("import time:")
    }
    assert "orvalidate" in imported or "validator" in imported or "click" in imported
    assert not imported & {"dask", "distributed", "fsspec", "tornado", "msgpack"}, imported & {
        "dask",
        "distributed",
        "fsspec",
    }


def test_batches_are_bounded_and_shared_out() -> None:
    from orvalidate.cluster import BATCH_MAX, batch_size

    assert batch_size(10_000_000, 64) == BATCH_MAX  # 20,000 tasks for ten million captures
    assert batch_size(100, 2) == 13  # at least four batches a worker thread
    assert batch_size(1, 8) == 1


def test_progress_on_a_terminal(cluster: Cluster) -> None:
    import pty

    total = len([p for p in FIXTURES.rglob("*") if p.suffix in (".sse", ".jsonl", ".ndjson")])
    leader, follower = pty.openpty()
    try:
        there = subprocess.run(
            [sys.executable, "-m", "orvalidate", "--cluster", cluster.address, "--format", "json", str(FIXTURES)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=120,
            env=QUIET,
        )
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert there.returncode == 1 and there.stdout == run("--format", "json", str(FIXTURES)).stdout
    assert f"[{total}/{total}] ".encode() in seen and b"[1/" in seen


def test_a_run_leaves_the_callers_dask_configuration_as_it_was() -> None:
    """The settings of a run (fewer kept messages, forked workers) are for the run only: a
    program that calls orvalidate keeps its own Dask configuration. In a process of its own,
    as Dask's event loop thread outlives the run in the process that ran it."""
    program = f"""
import dask
import distributed  # its configuration defaults come with it
from orvalidate import cluster
keys = ("distributed.admin.low-level-log-length", "distributed.worker.multiprocessing-method")
before = {{key: dask.config.get(key) for key in keys}}
files = [{str(FIXTURES / "valid" / "openai_text.sse")!r}, {str(FIXTURES / "valid" / "openrouter_text.sse")!r}]
done = list(cluster.results(files, {{}}, "dask://local:1", None))
assert [path for path, _, _ in done] == files, done
assert all(not isinstance(report, str) and not report.findings for _, report, _ in done), done
assert {{key: dask.config.get(key) for key in keys}} == before
print("same")
"""
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, timeout=120, env=QUIET)
    assert (done.returncode, done.stdout) == (0, b"same\n"), done.stderr.decode()
