"""The user's schemas (`--schemas DIR`, `schemas = [...]` in [tool.orvalidate]): a vendor event
type a profile does not know becomes checked, a bundled type can be made stricter, and a schema
file that cannot be used stops the run (exit 2, one line) before any capture is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from orvalidate import schemas
from orvalidate.cli import main

from conftest import FIXTURES

HEARTBEAT = FIXTURES / "invalid" / "S002-unknown-heartbeat-event.sse"  # line 13: response.output_text.heartbeat
CLEAN = FIXTURES / "valid" / "openai_text.sse"
CLEAN_ENV = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "FORCE_COLOR": None}

VENDOR = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type", "sequence_number", "item_id", "output_index"],
    "properties": {
        "type": {"const": "response.output_text.heartbeat"},
        "sequence_number": {"$ref": "https://orvalidate.invalid/schemas/defs/common.json#/$defs/sequence_number"},
        "item_id": {"type": "string"},
        "output_index": {"type": "integer", "minimum": 0},
    },
}


@pytest.fixture(autouse=True)
def bundled_schemas_after():
    """The CLI installs the user's schemas in this process: later tests get the bundled ones."""
    yield
    schemas.use_user_schemas({})


def run(*args: str):
    return CliRunner().invoke(main, ["--isolated", *args], env=CLEAN_ENV, catch_exceptions=False)


def codes(*args: str) -> list[tuple[str, int, str]]:
    result = run("--format", "json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return [(f["code"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def folder(tmp_path: Path, name: str, files: dict[str, object | str]) -> Path:
    where = tmp_path / name
    where.mkdir()
    for file, contents in files.items():
        (where / file).write_text(contents if isinstance(contents, str) else json.dumps(contents), encoding="utf-8")
    return where


def test_a_vendor_event_type_is_unknown_without_its_schema_and_checked_with_it(tmp_path: Path) -> None:
    vendor = folder(tmp_path, "vendor", {"response.output_text.heartbeat.json": VENDOR})
    assert [c[:2] for c in codes(str(HEARTBEAT))] == [("S002", 13)]
    assert codes("--schemas", str(vendor), str(HEARTBEAT)) == []
    for profile in ("openai", "openrouter", "open-responses"):  # added to every profile: no S002, no S003
        assert [
            c for c in codes("--profile", profile, "--schemas", str(vendor), str(HEARTBEAT)) if c[0].startswith("S")
        ] == [], profile
    broken = tmp_path / "broken.sse"
    broken.write_bytes(
        HEARTBEAT.read_bytes().replace(
            b'"output_index":0,"sequence_number":4', b'"output_index":"0","sequence_number":4'
        )
    )
    (found,) = codes("--schemas", str(vendor), str(broken))
    assert found == (
        "S001",
        13,
        f'`$.output_index`: expected integer >= 0, found string "0" (user schema {vendor / "response.output_text.heartbeat.json"})',
    )


def test_a_user_schema_replaces_the_bundled_one_of_its_type(tmp_path: Path) -> None:
    stricter = json.loads((schemas.schema_dir() / "response.output_text.delta.json").read_text(encoding="utf-8"))
    stricter["properties"]["delta"] = {"type": "string", "maxLength": 5}
    override = folder(tmp_path, "stricter", {"response.output_text.delta.json": stricter})
    assert codes(str(CLEAN)) == []
    found = codes("--schemas", str(override), str(CLEAN))
    assert [(c, line) for c, line, _ in found] == [
        ("S001", 22),
        ("S001", 28),
        ("S001", 37),
    ]  # " capital", " France", " Seine"
    assert (
        found[0][2]
        == f'`$.delta`: expected maxLength 5, found string " capital" (user schema {override / "response.output_text.delta.json"})'
    )
    assert (
        codes("--schemas", str(override), "--jobs", "2", str(CLEAN), str(HEARTBEAT)).count(found[0]) == 1
    )  # workers have it


@pytest.mark.parametrize(
    "contents, problem",
    [
        ('{"type": ', "not valid JSON: "),
        ({"type": 12}, "not a valid Draft 2020-12 schema: at `type`: 12 is not valid under any of the given schemas"),
        (
            {"properties": {"a": {"$ref": "https://orvalidate.invalid/schemas/defs/nothing.json"}}},
            "`$ref` 'https://orvalidate.invalid/schemas/defs/nothing.json' resolves to nothing",
        ),
        ({"$ref": "#/$defs/missing"}, "`$ref` '#/$defs/missing' resolves to nothing"),
        ("[1]", "not a schema: a schema is a JSON object (or true or false)"),
        ({"$schema": 12}, "not a valid Draft 2020-12 schema: at `$schema`: 12 is not of type 'string'"),
        (
            {"$schema": "http://json-schema.org/draft-07/schema#"},
            "`$schema` is 'http://json-schema.org/draft-07/schema#'; orvalidate reads Draft 2020-12",
        ),
    ],
)
def test_a_bad_schema_file_is_a_usage_error_before_any_capture_is_read(tmp_path: Path, contents, problem: str) -> None:
    bad = folder(tmp_path, "bad", {"response.vendor.event.json": contents})
    result = run("--schemas", str(bad), str(tmp_path / "no-such-capture.sse"))
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()  # the capture that does not exist was never looked at
    assert line.startswith(f"orvalidate: {bad / 'response.vendor.event.json'}: {problem}"), line


def test_a_missing_schema_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("--schemas", str(tmp_path / "nowhere"), str(CLEAN))
    assert (result.exit_code, result.stderr) == (
        2,
        f"orvalidate: {tmp_path / 'nowhere'}: not a folder of schemas (no such folder)\n",
    )


def test_schemas_in_the_configuration_are_relative_to_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder(tmp_path, "vendor", {"response.output_text.heartbeat.json": VENDOR})
    (tmp_path / "pyproject.toml").write_text('[tool.orvalidate]\nschemas = ["vendor"]\n', encoding="utf-8")
    (tmp_path / "captures").mkdir()
    monkeypatch.chdir(tmp_path / "captures")  # found upward; `vendor` is beside the file, not here
    result = CliRunner().invoke(main, ["--format", "json", str(HEARTBEAT)], env=CLEAN_ENV, catch_exceptions=False)
    assert (result.exit_code, json.loads(result.stdout)["findings"]) == (0, [])
    (tmp_path / "vendor" / "response.output_text.heartbeat.json").write_text('{"type": 12}', encoding="utf-8")
    result = CliRunner().invoke(main, [str(HEARTBEAT)], env=CLEAN_ENV, catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == (
        f"orvalidate: {tmp_path / 'vendor' / 'response.output_text.heartbeat.json'}: not a valid "
        "Draft 2020-12 schema: at `type`: 12 is not valid under any of the given schemas\n"
    )


def test_strict_walks_a_user_schema(tmp_path: Path) -> None:
    vendor = folder(tmp_path, "vendor", {"response.output_text.heartbeat.json": VENDOR})
    extra = tmp_path / "extra.sse"
    extra.write_bytes(
        HEARTBEAT.read_bytes().replace(
            b'"output_index":0,"sequence_number":4', b'"output_index":0,"beat":1,"sequence_number":4'
        )
    )
    assert ("S001", 13, "`$.beat`: unknown field `beat` (not in the schema)") in codes(
        "--strict", "--schemas", str(vendor), str(extra)
    )


def test_a_recursive_user_schema_is_checked_and_not_walked_by_strict(tmp_path: Path) -> None:
    tree = {
        "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}},
        "type": "object",
        "properties": {"output_index": {"$ref": "#/$defs/node"}},
    }
    recursive = folder(tmp_path, "recursive", {"response.output_text.heartbeat.json": tree})
    found = codes("--strict", "--schemas", str(recursive), str(HEARTBEAT))
    assert [(c, line) for c, line, _ in found] == [("S001", 13)]  # output_index 0 is not an object
    assert found[0][2].startswith("`$.output_index`: expected object, found integer 0 (user schema ")
