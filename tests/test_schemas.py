"""Schemas (rules S001-S003): metaschema, catalogs, seed examples, messages, the real corpus."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from orvalidate import schemas
from orvalidate.model import Problem
from orvalidate.schemas import check_event, known_types

import schema_reference

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = schemas.schema_dir()
SEED_EXAMPLES = HERE / "schema_data" / "seed_examples.jsonl"
FINDINGS = HERE / "corpus" / "schema_findings.json"
REAL = Path(__file__).resolve().parents[2] / "shared" / "captures" / "real"
PROFILES = ("openai", "openrouter", "open-responses")

# The union OpenResponsesStreamEvent of seed 001 (27 types).
SEED_UNION = {
    "response.created", "response.in_progress", "response.completed", "response.incomplete",
    "response.failed", "error", "response.output_item.added", "response.output_item.done",
    "response.content_part.added", "response.content_part.done", "response.output_text.delta",
    "response.output_text.done", "response.refusal.delta", "response.refusal.done",
    "response.output_text.annotation.added", "response.function_call_arguments.delta",
    "response.function_call_arguments.done", "response.reasoning_text.delta",
    "response.reasoning_text.done", "response.reasoning_summary_part.added",
    "response.reasoning_summary_part.done", "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done", "response.image_generation_call.in_progress",
    "response.image_generation_call.generating", "response.image_generation_call.partial_image",
    "response.image_generation_call.completed",
}  # fmt: skip

# PROTOCOL.md section 1 types documented for OpenAI (the OA column, plus RULES.md Decisions).
OPENAI_DOCUMENTED = SEED_UNION - set() | {
    "response.queued", "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done",
    "response.mcp_call_arguments.delta", "response.mcp_call_arguments.done",
    "response.mcp_call.in_progress", "response.mcp_call.completed", "response.mcp_call.failed",
    "response.mcp_list_tools.in_progress", "response.mcp_list_tools.completed",
    "response.mcp_list_tools.failed", "response.web_search_call.in_progress",
    "response.web_search_call.searching", "response.web_search_call.completed",
    "response.file_search_call.in_progress", "response.file_search_call.searching",
    "response.file_search_call.completed", "response.code_interpreter_call.in_progress",
    "response.code_interpreter_call.interpreting", "response.code_interpreter_call.completed",
    "response.code_interpreter_call_code.delta", "response.code_interpreter_call_code.done",
    "response.shell_call_command.added", "response.shell_call_command.delta",
    "response.shell_call_command.done", "response.shell_call_output_content.delta",
    "response.shell_call_output_content.done", "response.audio.delta", "response.audio.done",
    "response.audio.transcript.delta", "response.audio.transcript.done",
    "response.compaction.compacting", "response.apply_patch_call_operation_diff.delta",
    "response.apply_patch_call_operation_diff.done", "keepalive",
}  # fmt: skip

OPENROUTER_OWN = {
    "response.debug", "response.fusion_call.in_progress", "response.fusion_call.completed",
    "response.fusion_call.analysis.in_progress", "response.fusion_call.analysis.completed",
    "response.fusion_call.panel.added", "response.fusion_call.panel.delta",
    "response.fusion_call.panel.reasoning.delta", "response.fusion_call.panel.completed",
    "response.fusion_call.panel.failed",
}  # fmt: skip


def _catalog() -> dict:
    return json.loads((SCHEMA_DIR / "profiles.json").read_text(encoding="utf-8"))["profiles"]


def _schema_files() -> list[Path]:
    return sorted(p for p in SCHEMA_DIR.rglob("*.json") if p.name != "profiles.json")


# --------------------------------------------------------------------------------------------
# The schema files


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: str(p.relative_to(SCHEMA_DIR)))
def test_schema_file_passes_the_2020_12_metaschema(path: Path) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    rel = path.relative_to(SCHEMA_DIR).as_posix()
    assert schema["$id"] == "https://orvalidate.invalid/schemas/" + rel


def test_every_ref_resolves_from_the_bundled_files() -> None:
    """schemas._lookup finds exactly what a `referencing.Registry` of the bundle finds."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    files = [json.loads(p.read_text(encoding="utf-8")) for p in _schema_files()]
    registry = (
        Registry()
        .with_resources((s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in files)
        .crawl()
    )
    resolved = 0
    for schema in files:
        resolver = registry.resolver(base_uri=schema["$id"])
        for ref in _refs(schema):
            expected = resolver.lookup(ref)  # raises Unresolvable if it points outside the bundle
            assert schemas._lookup(ref, schema["$id"]) == (
                expected.contents,
                expected.resolver._base_uri.partition("#")[0],
            )
            resolved += 1
    assert resolved > 300
    with pytest.raises(LookupError):
        schemas._lookup("../../etc/passwd.json#/x", files[0]["$id"])


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_catalogued_type_has_a_schema_file(profile: str) -> None:
    spec = _catalog()[profile]
    for event_type in spec["types"]:
        rel = spec["variants"].get(event_type, f"{event_type}.json")
        path = SCHEMA_DIR / rel
        assert path.is_file(), f"{profile}: {event_type} -> {rel} missing"
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["properties"]["type"] == {"const": event_type}
    for event_type in spec["variants"]:
        assert event_type in spec["types"]


def test_every_event_schema_file_is_catalogued() -> None:
    catalogued = set().union(*(set(spec["types"]) for spec in _catalog().values()))
    top = {p.name[: -len(".json")] for p in SCHEMA_DIR.glob("*.json") if p.name != "profiles.json"}
    assert top == catalogued


def test_coverage_of_the_seed_union_and_protocol_section_1() -> None:
    assert len(SEED_UNION) == 27
    everything = known_types("openai") | known_types("openrouter") | known_types("open-responses")
    assert SEED_UNION <= everything
    assert OPENAI_DOCUMENTED <= known_types("openai")
    assert OPENROUTER_OWN <= known_types("openrouter")
    assert not OPENROUTER_OWN & known_types("openai")
    assert {"response.reasoning.delta", "response.reasoning.done"} <= known_types("open-responses")
    assert "keepalive" in known_types("openai") and "keepalive" not in known_types("openrouter")
    assert "response.queued" not in known_types("openrouter")


def test_openai_and_openrouter_use_identical_schemas() -> None:
    catalog = _catalog()
    assert catalog["openai"]["variants"] == {} and catalog["openrouter"]["variants"] == {}


def test_integer_fields_say_why_in_their_description() -> None:
    common = json.loads((SCHEMA_DIR / "defs" / "common.json").read_text(encoding="utf-8"))["$defs"]
    for name in ("sequence_number", "index", "token_count"):
        assert common[name]["type"] == "integer" and common[name]["minimum"] == 0
        assert "number" in common[name]["description"]


def test_unknown_profile_is_an_error() -> None:
    with pytest.raises(ValueError):
        known_types("auto")


# --------------------------------------------------------------------------------------------
# Seed examples


def _seed_rows() -> list[dict]:
    return [json.loads(line) for line in SEED_EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("row", _seed_rows(), ids=lambda r: f"{r['seed']}-{r['name']}")
@pytest.mark.parametrize("profile", ["openrouter", "openai"])
def test_seed_example(row: dict, profile: str) -> None:
    """Seed examples validate, except where the example is itself wrong for the wire.

    The SDK docs fill `number` fields with random floats (`outputIndex: 8869.44`,
    `maxToolCalls: 6635.84`); indices and counts are integers on the wire, so those examples
    are pinned invalid at exactly those paths (reasons in the data file), and validate once the
    floats are made integers.
    """
    event = row["event"]
    problems = check_event(event, profile)
    assert {p.code for p in problems} <= {"S001"}
    assert sorted(p.json_path for p in problems) == sorted(i["json_path"] for i in row["invalid"])
    for problem in problems:
        assert "expected integer >= 0" in problem.message and "found number" in problem.message
    if row["invalid"]:
        fixed = json.loads(json.dumps(event))
        for pinned in row["invalid"]:
            *parents, leaf = pinned["json_path"][2:].split(".")
            node = fixed
            for key in parents:
                node = node[key]
            node[leaf] = math.floor(node[leaf])
        assert check_event(fixed, profile) == []


def test_seed_examples_cover_the_seed_union() -> None:
    assert SEED_UNION <= {row["event"]["type"] for row in _seed_rows()}


# --------------------------------------------------------------------------------------------
# Messages


def _delta(**changes) -> dict:
    event = {
        "type": "response.output_text.delta",
        "sequence_number": 4,
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "Hi",
        "logprobs": [],
    }
    event.update(changes)
    return {k: v for k, v in event.items() if v is not _MISSING}


_MISSING = object()


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_event_has_no_problems() -> None:
    for profile in PROFILES:
        assert check_event(_delta(), profile) == []


def test_wrong_type_of_field() -> None:
    p = _only(check_event(_delta(delta=5), "openai"))
    assert (p.code, p.json_path, p.severity) == ("S001", "$.delta", None)
    assert p.message == "`$.delta`: expected string, found integer 5"


def test_negative_and_fractional_index() -> None:
    p = _only(check_event(_delta(output_index=-3), "openai"))
    assert p.json_path == "$.output_index"
    assert p.message == "`$.output_index`: expected integer >= 0, found integer -3"
    p = _only(check_event(_delta(content_index=1.5), "openai"))
    assert p.message == "`$.content_index`: expected integer >= 0, found number 1.5"


def test_missing_required_field() -> None:
    p = _only(check_event(_delta(item_id=_MISSING), "openai"))
    assert (p.code, p.json_path) == ("S001", "$.item_id")
    assert "missing required field `item_id`" in p.message and "response.output_text.delta" in p.message


def test_missing_sequence_number_is_left_to_q004_but_a_wrong_one_is_reported() -> None:
    assert check_event(_delta(sequence_number=_MISSING), "openai") == []
    p = _only(check_event(_delta(sequence_number="4"), "openai"))
    assert p.json_path == "$.sequence_number"
    assert p.message == '`$.sequence_number`: expected integer >= 0, found string "4"'


def test_logprobs_required_under_openai_and_openrouter_only() -> None:
    event = _delta(logprobs=_MISSING)
    for profile in ("openai", "openrouter"):
        assert _only(check_event(event, profile)).json_path == "$.logprobs"
    assert check_event(event, "open-responses") == []


def test_bad_enum_names_the_allowed_values() -> None:
    event = {"type": "response.created", "sequence_number": 0, "response": _response(status="running")}
    p = _only(check_event(event, "openai"))
    assert p.json_path == "$.response.status"
    assert p.message.startswith("`$.response.status`: expected one of `completed`, `failed`, `in_progress`")
    assert p.message.endswith('found string "running"')
    ors = check_event(event, "open-responses")  # ORS types status as a plain string
    assert "$.response.status" not in {p.json_path for p in ors}


def test_real_enum_values_are_accepted() -> None:
    for effort in ("none", "minimal", "low", "medium", "high", "xhigh", None):
        response = _response(reasoning={"effort": effort, "summary": None}, service_tier="priority", truncation=None)
        assert check_event({"type": "response.created", "sequence_number": 0, "response": response}, "openai") == []


def test_usage_counts_and_null_usage() -> None:
    response = _response(usage=None)
    assert check_event({"type": "response.in_progress", "sequence_number": 1, "response": response}, "openai") == []
    usage = {
        "input_tokens": 1, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 2,
        "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": -3,
        "cost": 0.1, "is_byok": False,
        "cost_details": {"upstream_inference_cost": None, "upstream_inference_input_cost": 0.05,
                         "upstream_inference_output_cost": 0.05},
    }  # fmt: skip
    event = {"type": "response.completed", "sequence_number": 9, "response": _response(status="completed", usage=usage)}
    p = _only(check_event(event, "openrouter"))
    assert p.json_path == "$.response.usage.total_tokens"
    assert p.message == "`$.response.usage.total_tokens`: expected integer >= 0, found integer -3"


def test_union_error_names_the_right_variant_field() -> None:
    item = {"type": "function_call", "id": "fc_1", "call_id": 7, "name": "f", "arguments": "{}", "status": "completed"}
    event = {"type": "response.output_item.done", "sequence_number": 3, "output_index": 0, "item": item}
    p = _only(check_event(event, "openai"))
    assert p.json_path == "$.item.call_id"
    assert p.message == "`$.item.call_id`: expected string, found integer 7"
    assert "any of" not in p.message
    del item["call_id"]
    p = _only(check_event(event, "openai"))
    assert p.json_path == "$.item.call_id" and "(required on `function_call`)" in p.message


def test_wrong_item_variant_content() -> None:
    item = {"type": "message", "id": "m", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": "x", "annotations": [{"type": "url_citation", "url": 3}]}]}  # fmt: skip
    event = {"type": "response.output_item.done", "sequence_number": 3, "output_index": 0, "item": item}
    p = _only(check_event(event, "openai"))
    assert p.json_path == "$.item.content[0].annotations[0].url"


def test_unknown_item_part_and_annotation_types_are_accepted() -> None:
    item = {"type": "program", "id": "p1", "code": "x"}
    event = {"type": "response.output_item.added", "sequence_number": 3, "output_index": 0, "item": item}
    assert check_event(event, "openai") == []
    part = {"type": "output_audio", "data": "..."}
    event = {"type": "response.content_part.added", "sequence_number": 3, "item_id": "m", "output_index": 0,
             "content_index": 0, "part": part}  # fmt: skip
    assert check_event(event, "openai") == []


def test_found_values_are_truncated() -> None:
    p = _only(check_event(_delta(delta=["x" * 500]), "openai"))
    assert len(p.message) < 160 and p.message.endswith("…")


def test_function_call_arguments_done_name_is_optional() -> None:
    event = {"type": "response.function_call_arguments.done", "sequence_number": 5, "item_id": "fc", "output_index": 0,
             "arguments": "{}"}  # fmt: skip
    for profile in PROFILES:
        assert check_event(event, profile) == []


def test_error_event_shapes() -> None:
    flat = {"type": "error", "sequence_number": 2, "code": "rate_limit_exceeded", "message": "slow down", "param": None}
    nested = {"type": "error", "sequence_number": 2,
              "error": {"type": "insufficient_quota", "code": "insufficient_quota", "message": "quota", "param": None}}  # fmt: skip
    for profile in ("openai", "openrouter"):
        assert check_event(flat, profile) == []
        assert check_event(nested, profile) == []
        p = _only(check_event({"type": "error", "sequence_number": 2, "code": None}, profile))
        assert p.json_path == "$.message" and "nested `error`" in p.message
        p = _only(check_event({"type": "error", "sequence_number": 2, "error": {"code": None}}, profile))
        assert p.json_path == "$.error.message"
    assert check_event(nested, "open-responses") == []
    assert _only(check_event(flat, "open-responses")).json_path == "$.error"


# --------------------------------------------------------------------------------------------
# S002 / S003


def test_unknown_type_is_s002_and_never_validated() -> None:
    event = {"type": "response.rate_limits.updated", "sequence_number": "not even an int"}
    p = _only(check_event(event, "openai"))
    assert (p.code, p.json_path) == ("S002", "$.type")
    assert p.message == (
        "unknown event type `response.rate_limits.updated` for profile `openai`; clients must ignore it"
    )


def test_catalogs_differ_per_profile() -> None:
    keepalive = {"type": "keepalive", "sequence_number": 466}
    assert check_event(keepalive, "openai") == []
    assert [p.code for p in check_event(keepalive, "openrouter")] == ["S002"]
    debug = {"type": "response.debug", "sequence_number": 3, "debug": {"timings": {}}}
    assert check_event(debug, "openrouter") == []
    assert [p.code for p in check_event(debug, "openai")] == ["S002"]
    alias = {"type": "response.reasoning.delta", "sequence_number": 3, "item_id": "rs", "output_index": 0,
             "content_index": 0, "delta": "x"}  # fmt: skip
    assert check_event(alias, "open-responses") == []
    assert [p.code for p in check_event(alias, "openai")] == ["S002"]


def test_s003_only_under_open_responses_for_unprefixed_extensions() -> None:
    assert [p.code for p in check_event({"type": "response.debug", "sequence_number": 1}, "open-responses")] == [
        "S002",
        "S003",
    ]
    assert [p.code for p in check_event({"type": "acme:trace_event", "sequence_number": 1}, "open-responses")] == [
        "S002"
    ]
    assert [p.code for p in check_event({"type": "trace_event", "sequence_number": 1}, "openai")] == ["S002"]
    assert schemas.is_slug_prefixed("implementor_slug:custom_document_search")
    assert not schemas.is_slug_prefixed("response.fusion_call.in_progress")
    assert not schemas.is_slug_prefixed(":x") and not schemas.is_slug_prefixed("acme:")


# --------------------------------------------------------------------------------------------
# --strict


def test_strict_reports_unknown_fields_as_warnings() -> None:
    event = _delta(extra=1)
    assert check_event(event, "openai") == []
    p = _only(check_event(event, "openai", strict=True))
    assert (p.code, p.json_path, p.severity) == ("S001", "$.extra", "warning")
    assert "unknown field `extra`" in p.message


def test_strict_walks_nested_objects_and_union_variants() -> None:
    item = {"type": "message", "id": "m", "role": "assistant", "status": "completed", "phase": "final",
            "content": [{"type": "output_text", "text": "x", "annotations": [], "logprobs": [], "shiny": True}]}  # fmt: skip
    event = {"type": "response.output_item.done", "sequence_number": 3, "output_index": 0, "item": item}
    p = _only(check_event(event, "openai", strict=True))
    assert p.json_path == "$.item.content[0].shiny" and p.severity == "warning"
    item["content"][0] = {"type": "output_audio"}
    p = _only(check_event(event, "openai", strict=True))
    assert p.json_path == "$.item.content[0].type" and "unknown content part type `output_audio`" in p.message


def test_strict_leaves_free_form_objects_alone() -> None:
    response = _response(metadata={"anything": "goes"}, tools=[{"type": "function", "name": "f", "parameters": {}}])
    event = {"type": "response.created", "sequence_number": 0, "response": response}
    assert check_event(event, "openai", strict=True) == []


def test_strict_error_event_nested_and_flat() -> None:
    nested = {
        "type": "error",
        "sequence_number": 2,
        "error": {"type": "x", "code": None, "message": "m", "param": None},
    }
    assert check_event(nested, "openai", strict=True) == []


# --------------------------------------------------------------------------------------------
# Laziness


def test_checks_are_cached_per_profile_and_type() -> None:
    check_event(_delta(), "openai")
    first = schemas.quick_check("openai", "response.output_text.delta")
    check_event(_delta(), "openai")
    assert schemas.quick_check("openai", "response.output_text.delta") is first
    assert schemas._inlined("openai", "response.output_text.delta") is schemas._inlined(
        "openai", "response.output_text.delta"
    )


def _response(**changes) -> dict:
    response = {
        "id": "resp_1", "object": "response", "created_at": 1741476777, "status": "in_progress",
        "model": "gpt-4o", "output": [], "error": None, "incomplete_details": None, "instructions": None,
        "metadata": {}, "tools": [], "tool_choice": "auto", "parallel_tool_calls": True,
        "temperature": 1.0, "top_p": 1.0, "usage": None,
    }  # fmt: skip
    response.update(changes)
    return response


# --------------------------------------------------------------------------------------------
# The real corpus


def _payloads(path: Path):
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".jsonl":
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("data"), dict) and set(obj) <= {"data", "event"}:
                obj = obj["data"]
            yield obj
        return
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for block in text.split("\n\n"):
        data = []
        for line in block.split("\n"):
            if line.startswith("data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(" ") else value)
        if not data:
            continue
        joined = "\n".join(data)
        if joined.strip() == "[DONE]":
            continue
        try:
            yield json.loads(joined)
        except ValueError:
            continue


def _corpus_findings() -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for path in sorted(REAL.iterdir()):
        if path.suffix not in (".sse", ".jsonl"):
            continue
        profile = "openrouter" if path.name.startswith("openrouter_") else "openai"
        seen: list[tuple[str, str, str]] = []
        for payload in _payloads(path):
            if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
                continue
            for problem in check_event(payload, profile):
                key = (problem.code, problem.json_path, payload["type"])
                if key not in seen:
                    seen.append(key)
        if seen:
            out[path.name] = seen
    return out


@pytest.mark.skipif(not REAL.is_dir(), reason=f"real captures not found at {REAL} (../shared is not checked out)")
def test_real_corpus_findings_are_the_hand_checked_ones() -> None:
    expected = json.loads(FINDINGS.read_text(encoding="utf-8"))
    for file, findings in expected.items():
        for finding in findings:
            assert finding["reason"].strip(), f"{file}: {finding} has no reason"
    got = _corpus_findings()
    want = {
        file: [(f["code"], f["json_path"], f["event_type"]) for f in findings] for file, findings in expected.items()
    }
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(set(v)) for k, v in want.items()}


@pytest.mark.skipif(not REAL.is_dir(), reason=f"real captures not found at {REAL} (../shared is not checked out)")
def test_real_corpus_has_no_s002_for_openai_documented_types() -> None:
    for findings in _corpus_findings().values():
        for code, _path, event_type in findings:
            assert not (code == "S002" and event_type in OPENAI_DOCUMENTED)


def _mutations(event: dict):
    yield event
    for key, value in event.items():
        if key == "type":
            continue
        for bad in (None, True, 1.0, -1, "x", 2.5, [], {}, [1]):
            if bad != value or type(bad) is not type(value):
                yield {**event, key: bad}
        yield {k: v for k, v in event.items() if k != key}


def test_quick_path_agrees_with_jsonschema() -> None:
    """The compiled predicate, which vouches for valid events, gives python-jsonschema's verdict."""
    samples = [row["event"] for row in _seed_rows()]
    samples += [_delta(), {"type": "keepalive", "sequence_number": 1},
                {"type": "response.shell_call_command.delta", "sequence_number": 1, "output_index": 0,
                 "command_index": 0, "delta": "ls"}]  # fmt: skip
    checked = 0
    for sample in samples:
        for profile in PROFILES:
            if sample["type"] not in known_types(profile):
                continue
            quick = schemas.quick_check(profile, sample["type"])
            full = schema_reference.validator(profile, sample["type"])
            for event in _mutations(sample):
                assert quick(event) == full.is_valid(event), (profile, event)
                checked += 1
    assert checked > 100


def _imports_python_jsonschema(capture: Path) -> bool:
    import subprocess
    import sys

    found = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "orvalidate", "--isolated", str(capture)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode in (0, 1), found.stderr
    modules = {line.rsplit("|", 1)[-1].strip() for line in found.stderr.splitlines() if line.startswith("import time:")}
    return "jsonschema" in modules


def test_python_jsonschema_is_imported_by_the_first_schema_finding_only() -> None:
    """A clean run never pays for importing python-jsonschema (~0.1 s); an S001 does."""
    fixtures = HERE.parent / "fixtures"
    assert not _imports_python_jsonschema(fixtures / "valid" / "openrouter_text.sse")
    assert _imports_python_jsonschema(fixtures / "invalid" / "S001-delta-without-logprobs.sse")
