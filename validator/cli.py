"""The command line: arguments -> Config -> checks -> reporter -> exit code.

`orvalidate [OPTIONS] PATH...` checks captures; `orvalidate rule CODE` and `orvalidate rules`
document the rules. Exit codes: 0 nothing at or above the fail level, 1 findings, 2 usage,
configuration or I/O error.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .api import CaptureError, FileReport, Report, check_file, check_stream, drain, iter_captures
from .config import LEVELS, Config, ConfigError, check_selector, find_config, load
from .containers import KINDS as CONTAINER_KINDS
from .engine import AUTO
from .model import PROFILES
from .reader import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab")
_PROGRESS_MIN_FILES = 20


class _CheckByDefault(click.Group):
    """`orvalidate PATH` means `orvalidate check PATH`: arguments that do not start with one
    of the group's registered commands (`check`, `rule`, `rules`, and any added with
    `@main.command`) go to `check`."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group(cls=_CheckByDefault, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Validate recorded Responses API streams."""


def _selector_list(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...] | None:
    """`--select D,U001 --select F` -> ("D", "U001", "F"), each checked."""
    if not values:
        return None
    found = tuple(s.strip() for value in values for s in value.split(",") if s.strip())
    try:
        return tuple(check_selector(s) for s in found)  # click names the option in its message
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


def _cluster_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from .cluster import parse_address

    try:
        parse_address(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _configuration(config_file: str | None, isolated: bool) -> Config:
    if isolated:
        return Config()
    path = Path(config_file) if config_file else find_config(Path.cwd())
    return load(path) if path else Config()


def _use_user_schemas(folders: tuple[str, ...]) -> str | None:
    """Check by the user's schemas from now on (none: the bundled ones alone); the one-line
    reason when one cannot be used."""
    from . import schemas

    if not folders:
        schemas.use_user_schemas({})
        return None
    from .user_schemas import SchemaFileError, load

    try:
        schemas.use_user_schemas(load(folders))
    except SchemaFileError as exc:
        return str(exc)
    return None


def _paths(given: tuple[str, ...], config: Config, input_format: str | None) -> tuple[list[str], list[str]]:
    """Expand directories; return (files to check, one-line errors)."""
    files, errors = [], []
    for path in given:
        if path == "-":
            files.append(path)
            continue
        try:
            if "://" in path:  # an fsspec URL (s3://, file://, ...): see cluster.py
                from .cluster import is_url, list_captures

                if is_url(path):
                    files.extend(list_captures(path, input_format))
                    continue
            files.extend(iter_captures(path, config, input_format))
        except CaptureError as exc:
            errors.append(str(exc))
    return files, errors


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _show_progress(quiet: bool, count: int) -> bool:
    """A progress line only for a person watching many files: never in CI or under pre-commit."""
    if quiet or count < _PROGRESS_MIN_FILES or not sys.stderr.isatty():
        return False
    return not any(os.environ.get(v) for v in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "PRE_COMMIT"))


@main.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=click.Choice(OUTPUT_FORMATS),
    default=None,
    help="Output format [default: github under GitHub Actions, else text].",
)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--profile",
    type=click.Choice([AUTO, *PROFILES]),
    default=None,
    help="Which provider's rules apply [default: auto, which decides per stream].",
)
@click.option(
    "--starting-after",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="The capture is a stream resumed after sequence number N.",
)
@click.option(
    "--input-format",
    type=click.Choice((*FORMATS, *CONTAINER_KINDS)),
    default=None,
    help="Read captures as this format, whatever their extension (cassette: a VCR.py YAML cassette; har: a HAR file).",
)
@click.option("--strict", is_flag=True, help="Report every field the schemas do not declare (S001 warnings).")
@click.option(
    "--schemas",
    "schema_folders",
    multiple=True,
    metavar="DIR",
    help="Also check event types by the schemas in DIR (<type>.json, Draft 2020-12), added to every profile or replacing the bundled one; repeatable.",
)
@click.option(
    "--select",
    multiple=True,
    callback=_selector_list,
    help="Only these rules (codes, prefixes or names; comma-separated).",
)
@click.option(
    "--extend-select", multiple=True, callback=_selector_list, help="These rules too, on top of the selection."
)
@click.option("--ignore", multiple=True, callback=_selector_list, help="Not these rules.")
@click.option(
    "--fail-on",
    type=click.Choice(LEVELS),
    default=None,
    help="Exit 1 on findings of this severity or worse [default: error].",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Read configuration from this file (orvalidate.toml or pyproject.toml).",
)
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--statistics", is_flag=True, help="Print a count per rule instead of the findings (text format).")
@click.option(
    "--stdin-filename",
    default=None,
    metavar="NAME",
    help="The name of the capture read from `-`, for display and per-file configuration.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no progress.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also print the configuration file used, and every file with its result and timing (on standard error).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Check files in this many processes [default: the number of CPUs].",
)
@click.option(
    "--cluster",
    default=None,
    callback=_cluster_address,
    metavar="dask://HOST:PORT|dask://local[:N]",
    help="Check the files on a Dask cluster: a running scheduler, or N local worker processes (pip install 'orvalidate[scale]').",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in the text format (NO_COLOR and FORCE_COLOR are honoured under auto).",
)
@click.version_option(__version__, "--version", prog_name="orvalidate")
def check(paths: tuple[str, ...], **flags) -> None:
    """Check captures (.sse, .jsonl, .ndjson), VCR cassettes and HAR files, directories of them, or - for stdin.

    Other commands: `orvalidate rule CODE` explains a rule; `orvalidate rules` lists them.
    """
    try:
        config = _configuration(flags["config_file"], flags["isolated"])
    except ConfigError as exc:
        click.echo(f"orvalidate: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    for warning in config.warnings:
        click.echo(f"orvalidate: warning: {warning}", err=True)
    if flags["verbose"]:
        used = config.source or ("none (--isolated)" if flags["isolated"] else "none found (defaults)")
        click.echo(f"orvalidate: configuration: {used}", err=True)
    config = config._replace(
        select=flags["select"] if flags["select"] is not None else config.select,
        ignore=config.ignore + (flags["ignore"] or ()),
        extend_select=config.extend_select + (flags["extend_select"] or ()),
        profile=flags["profile"] or config.profile,
        fail_on=flags["fail_on"] or config.fail_on,
    )
    failed = _use_user_schemas(config.schemas + flags["schema_folders"])
    if failed:
        click.echo(f"orvalidate: {failed}", err=True)
        sys.exit(EXIT_ERROR)
    in_actions = os.environ.get("GITHUB_ACTIONS", "").lower() == "true"
    output_format = flags["output_format"] or config.format or ("github" if in_actions else "text")
    if output_format not in OUTPUT_FORMATS:
        click.echo(f"orvalidate: {config.source}: format: expected one of {', '.join(OUTPUT_FORMATS)}", err=True)
        sys.exit(EXIT_ERROR)
    try:
        code = _check(paths, config, output_format, flags)
    except CaptureError as exc:  # the cluster cannot be used (cluster.ClusterError)
        click.echo(f"orvalidate: {exc}", err=True)
        code = EXIT_ERROR
    except KeyboardInterrupt:
        code = 130  # click would say "Aborted!" and exit 1; a shell expects 128 + SIGINT
    sys.exit(code)


def _check(paths: tuple[str, ...], config: Config, output_format: str, flags: dict) -> int:
    files, errors = _paths(paths, config, flags["input_format"])
    for message in errors:
        click.echo(f"orvalidate: {message}", err=True)
    clash = _refuse_to_overwrite(flags["output_file"], files)
    if clash:
        click.echo(f"orvalidate: {clash}", err=True)
        return EXIT_ERROR
    options = dict(
        profile=config.profile,
        input_format=flags["input_format"],
        strict=flags["strict"],
        starting_after=flags["starting_after"],
        config=config,
    )
    if output_format == "json" and not flags["statistics"]:
        from .reporters.json_report import Spooled

        spooled = Spooled()  # a run over a great many captures need not hold them all
        try:
            return _run(files, errors, options, config, output_format, flags, spooled)
        finally:
            spooled.close()
    return _run(files, errors, options, config, output_format, flags, Report())


def _run(
    files: list[str], errors: list[str], options: dict, config: Config, output_format: str, flags: dict, report
) -> int:
    """Check the files into `report` (a Report, or the JSON report's Spooled), write it, and
    say the exit status."""
    from .reporters import REPORTERS
    from .reporters.text import statistics, summary

    color = output_format == "text" and flags["output_file"] is None and _use_color(flags["color"])
    live = output_format == "text" and flags["output_file"] is None and not flags["statistics"]
    progress = _show_progress(flags["quiet"], len(files))
    printed: set[str] = set()  # stdin's findings, printed as they arose
    for number, (path, result, seconds) in enumerate(_results(files, options, flags, live and not progress, color), 1):
        if progress:
            click.echo(f"\r[{number}/{len(files)}] {path[-60:]:<60}", err=True, nl=False)
        if isinstance(result, str):
            errors.append(path)
            click.echo(f"orvalidate: {result}", err=True)
            continue
        report.add(result)
        if path == "-" and live and not progress:
            printed.add(result.path)
            late = result.late_suppressed
            if late:
                click.echo(
                    f"orvalidate: {late} finding{'s' if late != 1 else ''} printed above "
                    f"{'were' if late != 1 else 'was'} then suppressed by a `file-ignore` read later in the stream",
                    err=True,
                )
        if flags["verbose"]:
            verdict = (
                f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}" if result.findings else "ok"
            )
            events = sum(s.events for s in result.streams)
            click.echo(
                f"{result.path}: {verdict} ({len(result.streams)} streams, {events} events, {seconds:.3f} s)", err=True
            )
    if progress:
        click.echo("\r" + " " * 72 + "\r", err=True, nl=False)
    if output_format == "text" and flags["statistics"]:
        written = _write(lambda out: out.write(statistics(report)), flags["output_file"])
    else:
        extra = {"color": color, "skip": printed} if output_format == "text" else {}
        written = _write(lambda out: REPORTERS[output_format](report, out, **extra), flags["output_file"])
        if flags["statistics"]:
            click.echo(statistics(report), err=True, nl=False)
    counts = report.summary()
    if output_format == "text" and counts["files"] and not flags["quiet"] and written:
        click.echo(summary(report), err=True)
    if errors or not written:
        return EXIT_ERROR
    failing = counts["errors"] + (counts["warnings"] if config.fail_on == "warning" else 0)
    if not flags["exit_zero"] and failing:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _check_file(path: str, options: dict) -> tuple[str, FileReport | str, float]:
    """One capture file, in this process or a worker: (path, report or error line, seconds)."""
    started = time.perf_counter()
    try:
        result: FileReport | str = check_file(path, **options)
    except CaptureError as exc:
        result = str(exc)
    return path, result, time.perf_counter() - started


def _results(files: list[str], options: dict, flags: dict, live: bool, color: bool):
    """Each file's result in the order given; with --jobs > 1, files are checked in parallel
    processes (the output is the same: results are collected in order, findings sorted)."""
    if flags["cluster"] or any("://" in path for path in files):  # see cluster.py
        from . import cluster

        yield from cluster.results(files, options, flags["cluster"], flags["jobs"])
        return
    jobs = flags["jobs"] or os.cpu_count() or 1
    if jobs > 1 and len(files) > 1 and "-" not in files:
        from functools import partial

        from . import parallel

        if parallel.CAN_FORK:
            yield from parallel.checked(files, partial(_check_file, options=options), min(jobs, len(files)), _lost)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        fork = "fork" in methods
        if fork:  # the first file here: forked workers inherit the modules and caches it loaded
            yield _check_file(files[0], options)
            files = files[1:]
        context = multiprocessing.get_context("fork" if fork else None)
        from .schemas import user_schemas

        with ProcessPoolExecutor(
            max_workers=min(jobs, len(files)), mp_context=context, initializer=_quiet_worker, initargs=(user_schemas(),)
        ) as pool:
            yield from pool.map(
                partial(_check_file, options=options), files, chunksize=max(1, len(files) // (jobs * 32))
            )  # small chunks: the last ones end together
        return
    for path in files:
        if path != "-":
            yield _check_file(path, options)
            continue
        started = time.perf_counter()
        name = flags["stdin_filename"] or "-"
        if options["input_format"] in CONTAINER_KINDS:
            from .containers.check import check_bytes

            found = check_bytes(sys.stdin.buffer.read(), name, options["input_format"], **options)
            yield path, _drain(iter([*found.findings, found]), live, color), time.perf_counter() - started
            continue
        yield path, _drain(check_stream(sys.stdin.buffer, name, **options), live, color), time.perf_counter() - started


def _lost(path: str, why: str) -> tuple[str, str, float]:
    """The result of a file whose worker process ended before answering (see parallel.py)."""
    return path, f"{path}: not checked: {why}", 0.0


def _quiet_worker(user: dict) -> None:
    """Ctrl-C reaches the workers too: one waiting for its next file would print the pool's
    traceback, so a worker just ends; the parent says 130. A spawned worker is given the
    user's schemas (a forked one has them)."""
    import signal

    from .schemas import use_user_schemas

    signal.signal(signal.SIGINT, lambda *_: os._exit(130))
    use_user_schemas(user)


def _write(write, output_file: str | None) -> bool:
    """Run `write(stream)` on the output file, or on standard output; False (and one line on
    stderr) when the file cannot be written. Unpaired surrogates from a capture are escaped."""
    if not output_file:
        write(sys.stdout)
        return True
    try:
        with open(output_file, "w", encoding="utf-8", errors="backslashreplace") as out:
            write(out)
    except OSError as exc:
        click.echo(f"orvalidate: {output_file}: {exc.strerror or exc}", err=True)
        return False
    return True


def _refuse_to_overwrite(output_file: str | None, files: list[str]) -> str | None:
    """The reason not to write the report over one of the captures it reads, if it would: the
    same file by any name (a link, a hard link). An output file not there yet is none of them;
    one stat a capture, not a realpath's walk of every folder of every path."""
    if not output_file:
        return None
    try:
        target = os.stat(output_file)
    except OSError:
        return None
    for path in files:
        if path == "-" or "://" in path:
            continue
        try:
            found = os.stat(path)
        except OSError:
            continue  # said when it is read
        if (found.st_dev, found.st_ino) == (target.st_dev, target.st_ino):
            return f"{output_file}: the output file is one of the captures being checked; inputs are never written"
    return None


def _drain(items, live: bool, color: bool) -> FileReport:
    """Run one capture's check; with `live`, print each finding as soon as it is known."""
    from .reporters.text import line

    return drain(items, (lambda finding: click.echo(line(finding, color), color=color)) if live else None)


@main.command("rule")
@click.argument("code")
def rule(code: str) -> None:
    """Print the documentation of one rule (by code or name)."""
    from . import codes

    found = codes.RULES.get(code.upper()) or codes.BY_NAME.get(code)
    if found is None:
        raise click.UsageError(f"unknown rule {code!r}; `orvalidate rules` lists them")
    click.echo(codes.documentation(found.code), nl=False)


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule: code, name, severity per profile (openrouter/openai/open-responses), summary."""
    import json

    from . import codes

    if output_format == "json":
        listed = [
            {"code": r.code, "name": r.name, "severity": dict(r.severity), "summary": r.summary}
            for r in codes.RULES.values()
        ]
        click.echo(json.dumps({"rules": listed}, indent=2))
        return
    for r in codes.RULES.values():
        levels = "/".join((r.severity[p] or "-")[0].upper() for p in PROFILES)
        click.echo(f"{r.code}  {r.name:<28} {levels:<6} {r.summary}")


def _live_config(flags: dict) -> Config:
    """The configuration file's settings under the selection flags of `probe` and `proxy`."""
    try:
        config = _configuration(None, False)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    return config._replace(
        select=flags.pop("select") if flags.get("select") is not None else config.select,
        ignore=config.ignore + (flags.pop("ignore", None) or ()),
        extend_select=config.extend_select + (flags.pop("extend_select", None) or ()),
        profile=flags.pop("profile", None) or config.profile,
        fail_on=flags.pop("fail_on", None) or config.fail_on,
    )


_SELECTION = (
    click.option(
        "--profile",
        type=click.Choice([AUTO, *PROFILES]),
        default=None,
        help="Which provider's rules apply [default: auto].",
    ),
    click.option(
        "--select",
        multiple=True,
        callback=_selector_list,
        help="Only these rules (codes, prefixes or names; comma-separated).",
    ),
    click.option(
        "--extend-select", multiple=True, callback=_selector_list, help="These rules too, on top of the selection."
    ),
    click.option("--ignore", multiple=True, callback=_selector_list, help="Not these rules."),
)


def _with_selection(command):
    for option in reversed(_SELECTION):
        command = option(command)
    return command


@main.command("probe")
@click.argument("base_url", required=False, metavar="BASE_URL")
@click.option("--model", default=None, help="The model every scenario asks for (required).")
@click.option(
    "--api-key",
    default=None,
    help="Sent as `Authorization: Bearer KEY` [default: $ORVALIDATE_API_KEY, $OPENROUTER_API_KEY, $OPENAI_API_KEY].",
)
@click.option(
    "--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="An extra request header (repeatable)."
)
@click.option(
    "--scenario", "scenarios", multiple=True, metavar="ID", help="Run only this scenario (repeatable) [default: all]."
)
@click.option("--list-scenarios", is_flag=True, help="List the scenarios and exit.")
@click.option(
    "--record",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Keep each stream as DIR/<scenario>.sse and its request as DIR/<scenario>.request.json.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=120.0,
    show_default=True,
    metavar="SECONDS",
    help="Per scenario.",
)
@_with_selection
@click.option(
    "--format",
    "output_format",
    type=click.Choice(OUTPUT_FORMATS),
    default=None,
    help="Output format [default: text]; junit gives one testcase per scenario.",
)
@click.option(
    "--fail-on",
    type=click.Choice(LEVELS),
    default=None,
    help="Exit 1 on findings of this severity or worse [default: error].",
)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in the text format.",
)
def probe(base_url: str | None, **flags) -> None:
    """Run the scenario catalog against a live server's POST BASE_URL/responses, every
    scenario streamed and checked as it arrives (needs `pip install 'orvalidate[live]'`)."""
    from .live import scenarios

    if flags["list_scenarios"]:
        scenarios.list_scenarios(sys.stdout)
        sys.exit(EXIT_CLEAN)
    if not base_url:
        raise click.UsageError("missing argument BASE_URL (such as http://127.0.0.1:8000/v1)")
    if not flags["model"]:
        raise click.UsageError("missing option --model")
    config = _live_config(flags)
    from .live import LiveError, require_extra

    try:
        require_extra("probe")
        from .live import probe as live

        color = flags["output_file"] is None and _use_color(flags["color"])
        code = live.main(base_url, config, color, flags)
    except LiveError as exc:
        click.echo(f"orvalidate: {exc}", err=True)
        code = EXIT_ERROR
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


@main.command("proxy")
@click.option(
    "--upstream",
    required=True,
    metavar="URL",
    help="Where requests go: the request's path is appended to this URL's path.",
)
@click.option(
    "--listen",
    default="127.0.0.1:8787",
    show_default=True,
    metavar="HOST:PORT",
    help="Where the app connects; another address than loopback is warned about.",
)
@click.option(
    "--record",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Keep each checked stream as DIR/<time>-<n>.sse.",
)
@_with_selection
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Findings as text lines or JSON lines.",
)
def proxy(upstream: str, listen: str, record: str | None, output_format: str, **flags) -> None:
    """A local proxy for an app's SDK (base URL http://127.0.0.1:8787/v1): forwards every
    request unchanged and checks each text/event-stream answer to .../responses as it passes
    (needs `pip install 'orvalidate[live]'`). Ctrl-C stops it with a summary."""
    config = _live_config(flags)
    from .live import LiveError, require_extra

    try:
        require_extra("proxy")
        from .live import proxy as live

        counts = live.serve(
            live.check_upstream(upstream),
            live.parse_listen(listen),
            Path(record) if record else None,
            config.profile,
            config,
            output_format,
        )
    except LiveError as exc:
        click.echo(f"orvalidate: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(live.summary(counts), err=True)
    sys.exit(EXIT_CLEAN)


def run() -> None:
    """Entry point: no traceback on Ctrl-C (exit 130) or when standard output closes early."""
    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    try:
        main()
    except SystemExit as done:
        if done.code in (None, EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR):  # a check ran to its end
            _exit_now(done.code or 0)
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_FINDINGS)


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown, which frees every module and object
    one by one: a good share of checking a small capture (the pre-commit case; the benchmark's
    start-up figure shows it). The
    output is flushed first, and nothing else is pending: the worker pool was shut down and
    the output file closed by their `with`. If the flush fails the usual exit reports it."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        return
    os._exit(code)
