"""Live streams: `orvalidate probe` (a scenario catalog run against a server) and `orvalidate
proxy` (a recording proxy that checks an app's streams as they pass).

httpx, uvicorn, starlette and jsonschema come with the `live` extra and are imported only by
the modules of these two commands (probe.py, proxy.py), never by the file checker. scenarios.py
and expectations.py import nothing heavy: `orvalidate rule P001` and `--list-scenarios` read
them without the extra.
"""

from __future__ import annotations

import os

EXTRA_HINT = "pip install 'orvalidate[live]'"


class LiveError(Exception):
    """A live command cannot run at all (no extra, a bad URL, a server out of reach): exit 2
    with this one-line message."""


class MissingExtra(LiveError):
    """A module of the `live` extra is not installed: exit 2 with this one-line message."""


def require_extra(command: str) -> None:
    """Import the extra's modules now, so a missing one is a one-line message, not a traceback."""
    try:
        import httpx  # noqa: F401
        import jsonschema  # type: ignore[import-untyped]  # noqa: F401

        if command == "proxy":
            import starlette  # noqa: F401
            import uvicorn  # noqa: F401
    except ImportError as exc:
        raise MissingExtra(f"`orvalidate {command}` needs {exc.name}: {EXTRA_HINT}") from None


def reason(exc: BaseException) -> str:
    """What went wrong, in words, from the innermost OSError when there is one: "connection
    refused" rather than httpx's "all connection attempts failed"."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return (os.strerror(seen.errno) if seen.errno and seen.errno > 0 else seen.strerror).lower()
        seen = seen.__cause__ or seen.__context__
    return str(exc) or type(exc).__name__
