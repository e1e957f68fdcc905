"""`pytest --orvalidate`: every capture, cassette and HAR file under the test paths becomes a
test item that fails with its findings, and the `orvalidate_transport` fixture.

Installed with the package (the `pytest11` entry point) and inactive until asked: the flag,
or `orvalidate = true` under `[tool.pytest.ini_options]`. Which files count, the rules and
the fail level come from `[tool.orvalidate]`, as the command line reads it. Items are named
`<path>::orvalidate` and marked `orvalidate`, so `-k`, `-m`, `--lf`, xdist and `--junitxml`
treat them as any other test.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from .config import DEFAULT, Config, ConfigError, find_config, load

_CONFIG = pytest.StashKey[Config]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("orvalidate", "check recorded Responses streams")
    group.addoption(
        "--orvalidate",
        action="store_true",
        default=False,
        help="collect captures (.sse, .jsonl, .ndjson), VCR cassettes and HAR files as test items",
    )
    parser.addini("orvalidate", type="bool", default=False, help="collect captures and containers as with --orvalidate")


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("orvalidate") or config.getini("orvalidate"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "orvalidate: a capture, cassette or HAR file checked by orvalidate")
    if not _enabled(config):
        return
    try:
        found = find_config(Path(config.rootpath))
        settings = load(found) if found else DEFAULT
    except ConfigError as exc:
        raise pytest.UsageError(f"orvalidate: {exc}") from None
    config.stash[_CONFIG] = settings


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    settings = parent.config.stash.get(_CONFIG, None)
    from .discovery import taken  # the choice a directory search makes: include/exclude, cassettes

    if settings is None or not taken(str(file_path), settings):
        return None
    return CaptureFile.from_parent(parent, path=file_path)


class CaptureFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        yield CaptureItem.from_parent(self, name="orvalidate")


class Findings(Exception):
    """Findings at the fail level: the item fails, listing every finding."""


class CaptureItem(pytest.Item):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_marker("orvalidate")
        self._report: Any = None

    def setup(self) -> None:
        from .api import CaptureError, check_file

        settings = self.config.stash[_CONFIG]
        try:
            self._report = check_file(os.path.relpath(self.path), profile=settings.profile, config=settings)
            return
        except CaptureError as exc:
            reason = str(exc)
        pytest.fail(f"orvalidate: {reason}", pytrace=False)  # an error of this item, in one line

    def runtest(self) -> None:
        from .reporters.text import line
        from .testing import failing

        findings = self._report.findings
        if failing(findings, self.config.stash[_CONFIG].fail_on):
            raise Findings("\n".join(line(f) for f in findings))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, Findings):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{os.path.relpath(self.path)} (orvalidate)"


@pytest.fixture
def orvalidate_transport() -> Iterator[Any]:
    """A `validating_transport()` for `httpx.Client(transport=...)` (or AsyncClient): the test
    fails at teardown when a Responses stream the client read had findings at the fail level."""
    from .reporters.text import line
    from .testing import failing, validating_transport

    found: list = []
    transport = validating_transport(on_finding=found.append)
    yield transport
    if failing(found, transport.config.fail_on):
        pytest.fail(
            "orvalidate: a Responses stream read in this test has findings:\n" + "\n".join(line(f) for f in found),
            pytrace=False,
        )
