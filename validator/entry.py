"""The console script's first code: Ctrl-C while the modules load also exits 130 quietly."""

from __future__ import annotations

import signal


def _quiet_exit(signum: int, frame: object) -> None:
    raise SystemExit(130)


def run() -> None:
    previous = signal.signal(signal.SIGINT, _quiet_exit)
    from .cli import run as run_cli

    signal.signal(signal.SIGINT, previous)
    run_cli()
