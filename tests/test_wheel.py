"""The built wheel works on its own: installed into a fresh virtual environment and run from
another directory, it validates a capture with the schemas it carries.

This builds from a copy of the source tree (pyproject.toml, README.md, validator/, schemas/) so the
build leaves nothing behind in the repository, and installs the wheel with its dependencies from
the package index into a plain venv. It takes several seconds; it runs in the default `pytest`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

SOURCES = ("pyproject.toml", "README.md", "validator", "schemas")


def run(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kwargs)


def must(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{' '.join(map(str, result.args))}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        assert path.exists(), f"{name} is missing from the repository, and pyproject.toml needs it to build"
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(path, source / name)
    dist = work / "dist"
    isolation = [] if importlib.util.find_spec("wheel") is None else ["--no-isolation"]
    built = must(
        run([sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", str(dist), str(source)], cwd=work)
    )
    warned = [line for line in (built.stdout + built.stderr).splitlines() if _SETUPTOOLS_WARNING.search(line)]
    assert not warned, "the build warns:\n" + "\n".join(warned)
    (found,) = dist.glob("orvalidate-*.whl")
    return found


# What setuptools prints for a SetuptoolsDeprecationWarning ("`project.license` as a TOML table
# is deprecated ... By 2027-Feb-18") and for a data folder left out of `packages` ("Package
# would be ignored"): both stop working in a later setuptools.
_SETUPTOOLS_WARNING = re.compile(r"deprecat|would be ignored|remove deprecated calls", re.IGNORECASE)


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = tmp_path_factory.mktemp("venv") / "env"
    must(run([sys.executable, "-m", "venv", str(env)], cwd=env.parent))
    bin_dir = env / ("Scripts" if os.name == "nt" else "bin")
    must(run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], cwd=env.parent))
    return bin_dir


def test_wheel_carries_the_schemas(wheel: Path, venv: Path, tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    found = must(
        run(
            [str(venv / "python"), "-c", "from orvalidate.schemas import schema_dir; print(schema_dir())"], cwd=tmp_path
        )
    )
    installed = Path(found.stdout.strip())
    site = next(p for p in installed.parents if p.name == "site-packages")
    prefix = installed.relative_to(site).as_posix()
    assert prefix.startswith("orvalidate/"), f"schemas installed outside the package: {installed}"
    assert f"{prefix}/response.created.json" in names
    assert f"{prefix}/profiles.json" in names
    missing = sorted(
        p.relative_to(ROOT / "schemas").as_posix()
        for p in (ROOT / "schemas").rglob("*.json")
        if f"{prefix}/{p.relative_to(ROOT / 'schemas').as_posix()}" not in names
    )
    assert not missing, f"schema files left out of the wheel: {missing}"


def test_installed_orvalidate_is_the_wheel(venv: Path, tmp_path: Path) -> None:
    found = must(run([str(venv / "python"), "-c", "import orvalidate; print(orvalidate.__file__)"], cwd=tmp_path))
    assert Path(found.stdout.strip()).is_relative_to(venv.parent)


def test_wheel_runs_from_another_directory(venv: Path, tmp_path: Path) -> None:
    capture = ROOT / "fixtures" / "valid" / "openai_text.sse"
    result = run([str(venv / "orvalidate"), str(capture)], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr == "0 errors, 0 warnings in 1 file (1 streams, 18 events)\n"


def test_wheel_finds_schema_violations(venv: Path, tmp_path: Path) -> None:
    """The schemas in the wheel are loaded and applied (not merely present)."""
    capture = ROOT / "fixtures" / "invalid" / "S001-delta-without-logprobs.sse"
    result = run([str(venv / "orvalidate"), str(capture)], cwd=tmp_path)
    assert result.returncode == 1
    assert f"{capture}:25:1: S001 [error] `$.logprobs`: missing required field `logprobs`" in result.stdout


def test_wheel_reads_stdin_and_documents_rules(venv: Path, tmp_path: Path) -> None:
    data = (ROOT / "fixtures" / "valid" / "openai_function_call.jsonl").read_text(encoding="utf-8")
    result = run([str(venv / "orvalidate"), "-"], cwd=tmp_path, input=data)
    assert (result.returncode, result.stdout) == (0, "")
    result = run([str(venv / "orvalidate"), "rule", "S001"], cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("S001 schema-violation\n")
