"""orvalidate works offline: the whole fixture suite passes with every way to open a socket broken.

`socket.socket`, `socket.create_connection`, `socket.getaddrinfo` (and the name lookups) raise;
any attempt is also recorded, so a caller that swallowed the error is caught too. The CLI runs
in-process through CliRunner over every capture in fixtures/valid and fixtures/invalid, in every
output format: valid captures exit 0 with nothing on stdout, invalid ones give their golden text
output (the `.expected` file) and, in the other formats, their code and the exit code its
severity implies.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate.cli import main

from conftest import FIXTURES, ROOT
from test_fixtures import INVALID, KNOWN_BUGS, VALID, extra_args, relative

FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab")


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Break sockets and name lookups for the test; returns the list of attempts."""
    attempts: list[str] = []

    def refuse(name: str):
        def refused(*args, **kwargs):
            attempts.append(f"{name}{args!r}")
            raise NetworkUsed(f"orvalidate tried the network: {name}{args!r}")

        return refused

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs) -> None:
            attempts.append(f"socket.socket{args!r}")
            raise NetworkUsed(f"orvalidate tried to open a socket: {args!r}")

    monkeypatch.setattr(socket, "socket", NoSocket)
    for name in (
        "create_connection",
        "getaddrinfo",
        "gethostbyname",
        "gethostbyname_ex",
        "gethostbyaddr",
        "socketpair",
        "create_server",
    ):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    monkeypatch.chdir(ROOT)
    return attempts


def invoke(*args: str):
    return CliRunner().invoke(main, [*args, "--isolated"], catch_exceptions=False)


def test_the_guard_works(no_network: list[str]) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.com", 443))
    with pytest.raises(NetworkUsed):
        socket.socket()
    assert len(no_network) == 2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("capture", [pytest.param(c, id=c.name) for c in VALID])
def test_valid_capture_offline(capture: Path, fmt: str, no_network: list[str]) -> None:
    result = invoke(relative(capture), "--format", fmt, *extra_args(capture))
    assert result.exit_code == 0, result.output
    if fmt == "text":
        assert result.stdout == ""
    elif fmt == "json":
        assert json.loads(result.stdout)["findings"] == []
    assert no_network == []


def invalid_param(capture: Path, fmt: str):
    marks = (
        [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[capture.name])]
        if capture.name in KNOWN_BUGS and fmt == "text"
        else []
    )
    return pytest.param(capture, fmt, id=f"{capture.name}-{fmt}", marks=marks)


@pytest.mark.parametrize("capture, fmt", [invalid_param(c, fmt) for c in INVALID for fmt in FORMATS])
def test_invalid_capture_offline(capture: Path, fmt: str, no_network: list[str]) -> None:
    result = invoke(relative(capture), "--format", fmt, *extra_args(capture))
    assert result.exit_code in (0, 1), result.stderr
    if fmt == "text":
        golden = capture.with_name(capture.name + ".expected").read_text(encoding="utf-8")
        assert result.stdout == golden
    elif fmt == "json":
        doc = json.loads(result.stdout)
        assert capture.name.split("-", 1)[0] in {f["code"] for f in doc["findings"]}
        errors = any(f["severity"] == "error" for f in doc["findings"])
        assert result.exit_code == (1 if errors else 0)
    else:
        assert result.stdout
    assert no_network == []


def test_whole_folders_in_parallel_offline(no_network: list[str]) -> None:
    """Both folders at once: the parallel path (worker processes) needs no socket either."""
    result = invoke(str(FIXTURES.relative_to(ROOT)), "--format", "json", "--jobs", "2")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert len(doc["files"]) == len(VALID) + len(INVALID)
    assert no_network == []
