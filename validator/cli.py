"""The command line: arguments -> checks -> reporter -> exit code.

`orvalidate [OPTIONS] PATH...` checks captures; `orvalidate rule CODE` and `orvalidate rules`
document the rules. Exit codes: 0 nothing at or above the fail level, 1 findings, 2 usage,
configuration or I/O error.
"""

from __future__ import annotations

import os
import sys

import click

from . import __version__
from .api import CaptureError, FileReport, Report, check_stream, iter_captures
from .engine import AUTO
from .model import PROFILES
from .reader import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_SUBCOMMANDS = ("rule", "rules")


class _CheckByDefault(click.Group):
    """`orvalidate PATH` means `orvalidate check PATH`; `rule` and `rules` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in _SUBCOMMANDS:
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_CheckByDefault, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Validate recorded Responses API streams."""


def _paths(given: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Expand directories; return (files to check, one-line errors)."""
    files, errors = [], []
    for path in given:
        if path == "-":
            files.append(path)
            continue
        try:
            files.extend(iter_captures(path))
        except CaptureError as exc:
            errors.append(str(exc))
    return files, errors


@main.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--profile", type=click.Choice([AUTO, *PROFILES]), default=AUTO, show_default=True, help="Which provider's rules apply; auto decides per stream.")
@click.option("--starting-after", type=click.IntRange(min=0), default=None, metavar="N", help="The capture is a stream resumed after sequence number N.")
@click.option("--input-format", type=click.Choice(FORMATS), default=None, help="Read captures as this format, whatever their extension.")
@click.option("--strict", is_flag=True, help="Report every field the schemas do not declare (S001 warnings).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.version_option(__version__, "--version", prog_name="orvalidate")
def check(
    paths: tuple[str, ...],
    output_format: str,
    profile: str,
    starting_after: int | None,
    input_format: str | None,
    strict: bool,
    exit_zero: bool,
) -> None:
    """Check captures (.sse, .jsonl, .ndjson files, directories of them, or - for stdin).

    Other commands: `orvalidate rule CODE` explains a rule; `orvalidate rules` lists them.
    """
    from .reporters import REPORTERS
    from .reporters.text import line, summary

    files, errors = _paths(paths)
    for message in errors:
        click.echo(f"orvalidate: {message}", err=True)
    report = Report()
    live = output_format == "text"
    options = dict(profile=profile, input_format=input_format, strict=strict, starting_after=starting_after)
    for path in files:
        try:
            if path == "-":
                items = check_stream(sys.stdin.buffer, "-", **options)
                result = _run(items, live=live)
            else:
                with open(path, "rb") as stream:
                    result = _run(check_stream(stream, path, **options), live=False)
        except OSError as exc:
            errors.append(path)
            click.echo(f"orvalidate: {path}: {exc.strerror or exc}", err=True)
            continue
        report.files.append(result)
        if live and path != "-":
            for finding in result.findings:
                click.echo(line(finding))
    if output_format != "text":
        REPORTERS[output_format](report, sys.stdout)
    elif report.files:
        click.echo(summary(report), err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    failing = any(f.severity == "error" for f in report.findings)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


def _run(items, live: bool) -> FileReport:
    """Drain one capture's check; with `live`, print each finding as soon as it is known."""
    from .reporters.text import line

    for item in items:
        if isinstance(item, FileReport):
            return item
        if live:
            click.echo(line(item))
    raise AssertionError("check_stream ends with a FileReport")


@main.command("rule")
@click.argument("code")
def rule(code: str) -> None:
    """Print the documentation of one rule (by code or name)."""
    from . import codes
    from .rules import DOCS

    found = codes.RULES.get(code.upper()) or codes.BY_NAME.get(code)
    if found is None:
        raise click.UsageError(f"unknown rule {code!r}; `orvalidate rules` lists them")
    check_function = DOCS.get(found.code)
    click.echo(f"{found.code} {found.name}\n")
    click.echo(_severity_line(found.severity))
    click.echo(f"\n{found.summary}\n")
    if check_function is not None and check_function.__doc__:
        import inspect

        click.echo(inspect.cleandoc(check_function.__doc__))


def _severity_line(severity: dict) -> str:
    return "severity: " + ", ".join(f"{p} {severity[p] or 'off'}" for p in PROFILES)


@main.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule: code, name, severity per profile, summary."""
    import json

    from . import codes

    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "rules": [
                        {"code": r.code, "name": r.name, "severity": dict(r.severity), "summary": r.summary}
                        for r in codes.RULES.values()
                    ]
                },
                indent=2,
            )
        )
        return
    for r in codes.RULES.values():
        levels = "/".join((r.severity[p] or "-")[0].upper() if r.severity[p] else "-" for p in PROFILES)
        click.echo(f"{r.code}  {r.name:<28} {levels:<6} {r.summary}")


def run() -> None:
    """Entry point wrapper: no traceback on Ctrl-C or a closed pipe."""
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
