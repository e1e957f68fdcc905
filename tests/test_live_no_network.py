"""The live commands' tests send traffic to loopback only.

Every socket connect and name lookup is watched while a probe runs all its scenarios, the
openai SDK talks through the proxy and the proxy meets an unreachable upstream: each address
must be a loopback one, and one that is not is refused before any packet leaves (as
test_no_network.py does for the file checker).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from orvalidate.cli import main
from orvalidate.config import Config
from orvalidate.live.proxy import Address, serve

from live_upstream import Upstream


class LeftLoopback(AssertionError):
    pass


def loopback(host: object) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def guard(original, seen: list):
    """`original` (a socket's connect or connect_ex) for loopback addresses; refused otherwise."""

    def connect(self, address, *args):
        seen.append(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address[0]):
            raise LeftLoopback(f"a connection to {address!r} was attempted")
        return original(self, address, *args)

    return connect


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> list:
    seen: list = []
    monkeypatch.setattr(socket.socket, "connect", guard(socket.socket.connect, seen))
    monkeypatch.setattr(socket.socket, "connect_ex", guard(socket.socket.connect_ex, seen))
    real_lookup = socket.getaddrinfo

    def lookup(host, *args, **kwargs):
        seen.append(("lookup", host))
        if host is not None and not loopback(host):
            raise LeftLoopback(f"a name lookup of {host!r} was attempted")
        return real_lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return seen


def test_the_guard_refuses_before_connecting() -> None:
    calls: list = []
    seen: list = []
    connect = guard(lambda sock, address: calls.append(address), seen)
    with socket.socket() as sock:
        with pytest.raises(LeftLoopback):
            connect(sock, ("192.0.2.1", 443))  # TEST-NET-1: never reached, the stub stands in for connect
        connect(sock, ("127.0.0.1", 9))
    assert calls == [("127.0.0.1", 9)] and len(seen) == 2


def test_probe_and_proxy_stay_on_loopback(watched: list) -> None:
    import openai

    with Upstream() as upstream:
        result = CliRunner().invoke(main, ["probe", upstream.url, "--model", "m"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        out: list[str] = []
        box: list = []
        ready = threading.Event()
        port: list[int] = []
        thread = threading.Thread(
            target=serve,
            args=(
                upstream.url.removesuffix("/v1"),
                Address("127.0.0.1", 0),
                None,
                "auto",
                Config(),
                "text",
                out.append,
                out.append,
            ),
            kwargs={"ready": lambda a: (port.append(a.port), ready.set()), "server_box": box},
            daemon=True,
        )
        thread.start()
        assert ready.wait(10)
        while not box[0].started:
            time.sleep(0.01)
        with openai.OpenAI(base_url=f"http://127.0.0.1:{port[0]}/v1", api_key="k", max_retries=0) as client:
            assert [e.type for e in client.responses.create(model="m", input="hi", stream=True)][
                -1
            ] == "response.completed"
        box[0].should_exit = True
        thread.join(10)
    connects = [a for a in watched if a[0] != "lookup"]
    assert len(connects) >= 3  # the probe's, the SDK's, the proxy's to the upstream
    assert all(loopback(a[0]) for a in watched if a[0] != "lookup")
    assert all(loopback(host) for kind, host in watched if kind == "lookup")
