"""Shared test setup: the `--update-golden` option and the place of the real captures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
# The real captures stay outside the project (public recordings, not copied in): ../shared/captures/real.
REAL = Path(__file__).resolve().parents[2] / "shared" / "captures" / "real"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden .expected files of fixtures/invalid/ instead of comparing with them",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


def require_real() -> Path:
    """The folder of real captures; skips the calling test, saying why, when it is absent."""
    if not REAL.is_dir():
        pytest.skip(f"real captures not found at {REAL} (they live outside the project, in ../shared/captures/real)")
    return REAL


@pytest.fixture
def real_captures() -> Path:
    """The folder of real captures (../shared/captures/real); the test skips when it is absent."""
    return require_real()
