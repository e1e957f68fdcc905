"""Targeted tests of the rule engine through `orvalidate.StreamValidator`, one per RULES.md decision.

Each test builds a small, otherwise valid stream in code, feeds it event by event and looks at
every finding (`feed` results plus `close`). Known bugs in validator/ are strict xfails whose
reason states input, expected and actual.
"""

from __future__ import annotations

import copy

import pytest

from orvalidate import StreamValidator
from streams import RID, response

USAGE = {
    "input_tokens": 30,
    "input_tokens_details": {"cached_tokens": 0},
    "output_tokens": 12,
    "output_tokens_details": {"reasoning_tokens": 0},
    "total_tokens": 42,
}


# -- building streams ------------------------------------------------------------------------------


def part(text: str) -> dict:
    return {"type": "output_text", "annotations": [], "text": text, "logprobs": []}


def message(index: int, mid: str, chunks: list[str]) -> tuple[list[dict], dict]:
    """The events of a message item with one output_text part, and its final item."""
    text = "".join(chunks)
    final = {"id": mid, "type": "message", "status": "completed", "content": [part(text)], "role": "assistant"}
    at = {"item_id": mid, "output_index": index, "content_index": 0}
    events = [
        {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**final, "status": "in_progress", "content": []},
        },
        {"type": "response.content_part.added", **at, "part": part("")},
        *({"type": "response.output_text.delta", **at, "delta": c, "logprobs": []} for c in chunks),
        {"type": "response.output_text.done", **at, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **at, "part": part(text)},
        {"type": "response.output_item.done", "output_index": index, "item": final},
    ]
    return events, final


def function_call(index: int, fid: str, call_id: str, chunks: list[str]) -> tuple[list[dict], dict]:
    arguments = "".join(chunks)
    final = {
        "id": fid,
        "type": "function_call",
        "status": "completed",
        "arguments": arguments,
        "call_id": call_id,
        "name": "get_weather",
    }
    at = {"item_id": fid, "output_index": index}
    events = [
        {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**final, "status": "in_progress", "arguments": ""},
        },
        *({"type": "response.function_call_arguments.delta", **at, "delta": c} for c in chunks),
        {"type": "response.function_call_arguments.done", **at, "arguments": arguments},
        {"type": "response.output_item.done", "output_index": index, "item": final},
    ]
    return events, final


def stream(
    body: list[dict],
    output: list | None,
    *,
    terminal: str | None = "response.completed",
    usage: dict | None = USAGE,
    rid: str = RID,
    start: int = 0,
    **terminal_extra,
) -> list[dict]:
    """created, in_progress, body, terminal; numbered from `start`."""
    status = {"response.completed": "completed", "response.incomplete": "incomplete", "response.failed": "failed"}
    events = [
        {"type": "response.created", "response": response("in_progress", rid=rid)},
        {"type": "response.in_progress", "response": response("in_progress", rid=rid)},
        *copy.deepcopy(body),
    ]
    if terminal is not None:
        events.append(
            {"type": terminal, "response": response(status[terminal], output, usage, rid=rid, **terminal_extra)}
        )
    return number(events, start)


def number(events: list[dict], start: int = 0) -> list[dict]:
    for n, event in enumerate(events):
        event["sequence_number"] = start + n
    return events


def text_stream(**kwargs) -> list[dict]:
    body, final = message(0, "msg_rules_a1", ["The", " sky", " is", " blue", "."])
    return stream(body, [final], **kwargs)


def run(events: list, **options):
    """All findings of one validator fed `events` (dicts, or "[DONE]"), and the validator."""
    validator = StreamValidator(**options)
    found = []
    for event in events:
        found += validator.feed(event)
    found += validator.close()
    return found, validator


def codes(findings) -> list[str]:
    return sorted(f.code for f in findings)


def index_of(events: list[dict], type_: str, nth: int = 0) -> int:
    return [n for n, e in enumerate(events) if e["type"] == type_][nth]


# -- sanity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["openai", "auto"])
def test_the_built_stream_is_clean(profile: str) -> None:
    found, validator = run(text_stream(), profile=profile)
    assert found == []
    assert [s.profile for s in validator.streams] == ["openai"]


# -- one defect, one finding ----------------------------------------------------------------------


def test_delta_for_unknown_item_is_O001_only() -> None:
    events = text_stream()
    stray = {
        "type": "response.output_text.delta",
        "item_id": "msg_rules_zz",
        "output_index": 5,
        "content_index": 0,
        "delta": "hi",
        "logprobs": [],
    }
    events.insert(index_of(events, "response.completed"), stray)
    found, _ = run(number(events), profile="openai")
    assert codes(found) == ["O001"]


def test_delta_and_done_for_unknown_item_is_O001_once() -> None:
    events = text_stream()
    at = {"item_id": "msg_rules_zz", "output_index": 5, "content_index": 0}
    stray = [
        {"type": "response.output_text.delta", **at, "delta": "hi", "logprobs": []},
        {"type": "response.output_text.delta", **at, "delta": "!", "logprobs": []},
        {"type": "response.output_text.done", **at, "text": "hi!", "logprobs": []},
    ]
    n = index_of(events, "response.completed")
    events[n:n] = stray
    found, _ = run(number(events), profile="openai")
    assert codes(found) == ["O001"]
    assert found[0].event_type == "response.output_text.delta"


def test_missing_output_item_added_is_O001_only() -> None:
    body0, final0 = message(0, "msg_rules_b1", ["Let", " me", " check", "."])
    body1, final1 = function_call(1, "fc_rules_b2", "call_rules_b2", ['{"city":', '"Faro"}'])
    events = stream(body0 + body1[1:], [final0, final1])
    found, _ = run(events, profile="openai")
    assert codes(found) == ["O001"]


def test_delta_before_its_output_item_added_is_O001_only() -> None:
    body, final = function_call(0, "fc_rules_c1", "call_rules_c1", ['{"city":', '"Faro"}'])
    body[0], body[1] = body[1], body[0]
    found, _ = run(stream(body, [final]), profile="openai")
    assert codes(found) == ["O001"]


def test_sequence_missing_everywhere_is_one_Q004() -> None:
    events = text_stream()
    for event in events:
        del event["sequence_number"]
    found, _ = run(events, profile="openai")
    assert codes(found) == ["Q004"]
    assert found[0].event_index == 0
    assert f"{len(events)} of {len(events)} events" in found[0].message


def test_sequence_missing_on_two_events_is_one_Q004() -> None:
    events = text_stream()
    del events[4]["sequence_number"]
    del events[7]["sequence_number"]
    found, _ = run(events, profile="openai")
    assert codes(found).count("Q004") == 1
    assert "S001" not in codes(found)


def test_one_event_without_sequence_number_is_Q004_alone() -> None:
    events = text_stream()
    del events[4]["sequence_number"]
    found, _ = run(events, profile="openai")
    assert codes(found) == ["Q004"]


def test_rotating_item_ids_give_one_O003_per_item_and_O009_D006_for_the_items() -> None:
    body0, final0 = message(0, "msg_rules_d1", ["Rain", " today", "."])
    body1, final1 = function_call(1, "fc_rules_d2", "call_rules_d2", ['{"city":', '"Braga"}'])
    body = body0 + body1
    rotation = 0
    for event in body:
        if "item_id" in event:
            rotation += 1
            event["item_id"] = f"rot_{rotation:03d}"
    # the finished items (and so the final output) carry yet other ids
    for event, final in (
        (body[index_of(body, "response.output_item.done", 0)], final0),
        (body[index_of(body, "response.output_item.done", 1)], final1),
    ):
        rotation += 1
        event["item"]["id"] = final["id"] = f"rot_{rotation:03d}"
    found, _ = run(stream(body, [final0, final1]), profile="openai")
    assert sorted(codes(found)) == ["O003", "O003", "O009", "O009"]
    assert "further mismatches for this item are not reported" in found[0].message
    changed = [f.message for f in found if f.code == "O009"]
    assert "has id `rot_" in changed[0] and "was added as `msg_rules_d1`" in changed[0]
    # the final output names yet other ids than the `.done` items: D006, once
    completed = stream(body, [dict(final0, id="rot_900"), dict(final1, id="rot_901")])
    found, _ = run(completed, profile="openai")
    assert sorted(codes(found)) == ["D006", "O003", "O003", "O009", "O009"]
    assert [f.json_path for f in found if f.code == "D006"] == ["$.response.output[0].id"]


def test_output_item_done_with_other_id_without_rotation_is_O009() -> None:
    body, final = message(0, "msg_rules_e1", ["Hi", "."])
    body[-1]["item"]["id"] = final["id"] = "msg_rules_e9"
    found, _ = run(stream(body, [final]), profile="openai")
    assert codes(found) == ["O009"]


def test_O009_ignores_changed_encrypted_content() -> None:
    rid = "rs_rules_f1"
    body = [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"id": rid, "type": "reasoning", "summary": [], "encrypted_content": "gAAAA-one"},
        },
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": {"id": rid, "type": "reasoning", "summary": [], "encrypted_content": "gAAAA-two"},
        },
    ]
    found, _ = run(stream(body, [body[-1]["item"]]), profile="openai")
    assert found == []


# -- D003 and the terminal ------------------------------------------------------------------------


def open_message_stream(terminal: str | None, **terminal_extra) -> list[dict]:
    """A message cut short: deltas with no `.done`, its part and the item left open."""
    body, final = message(0, "msg_rules_g1", ["Mercury", ",", " Venus", ","])
    body = [
        e
        for e in body
        if e["type"] not in ("response.output_text.done", "response.content_part.done", "response.output_item.done")
    ]
    partial = {**final, "status": "incomplete"}
    return stream(body, [partial], terminal=terminal, **terminal_extra)


def test_D003_is_an_error_on_completed() -> None:
    found, _ = run(open_message_stream("response.completed"), profile="openai")
    assert [(f.code, f.severity) for f in found] == [("D003", "error")]
    assert found[0].event_type == "response.output_item.added"


def test_D003_is_a_warning_on_incomplete_and_the_open_item_gets_nothing_else() -> None:
    events = open_message_stream("response.incomplete", incomplete_details={"reason": "max_output_tokens"})
    found, _ = run(events, profile="openai")
    assert [(f.code, f.severity) for f in found] == [("D003", "warning")]


def test_D003_is_a_warning_on_failed() -> None:
    events = open_message_stream(
        "response.failed", error={"code": "server_error", "message": "The server had an error."}
    )
    found, _ = run(events, profile="openai")
    assert [(f.code, f.severity) for f in found] == [("D003", "warning")]


def test_no_terminal_is_L002_alone() -> None:
    found, _ = run(open_message_stream(None), profile="openai")
    assert codes(found) == ["L002"]
    assert found[0].event_type == "response.output_text.delta"


def test_closed_items_still_get_D001_on_incomplete() -> None:
    """The D003 exemption is for items left open; a closed item keeps its own checks."""
    body, final = message(0, "msg_rules_h1", ["Cut", " here"])
    body = [e for e in body if e["type"] != "response.output_text.done"]
    events = stream(body, [final], terminal="response.incomplete", incomplete_details={"reason": "max_output_tokens"})
    found, _ = run(events, profile="openai")
    assert codes(found) == ["D001"]


# -- D004, D005, D006 -----------------------------------------------------------------------------


def test_D004_not_compared_when_no_delta_arrived() -> None:
    body, final = message(0, "msg_rules_i1", ["Whole", " text", " at", " once", "."])
    body = [e for e in body if e["type"] != "response.output_text.delta"]
    found, _ = run(stream(body, [final]), profile="openai")
    assert found == []


def test_D004_compared_when_deltas_arrived() -> None:
    body, final = message(0, "msg_rules_i2", ["Hel", "lo"])
    body[index_of(body, "response.output_text.done")]["text"] = "Help"
    body[index_of(body, "response.content_part.done")]["part"]["text"] = "Help"
    body[-1]["item"]["content"][0]["text"] = final["content"][0]["text"] = "Help"
    found, _ = run(stream(body, [final]), profile="openai")
    assert codes(found) == ["D004"]
    assert found[0].severity == "warning"


def test_D005_never_compares_logprobs() -> None:
    body, final = message(0, "msg_rules_j1", ["Yes", "."])
    logprob = {"token": "Yes", "logprob": -0.01, "bytes": [89, 101, 115], "top_logprobs": []}
    body[-1]["item"]["content"][0]["logprobs"] = [logprob]
    final["content"][0]["logprobs"] = [logprob]
    found, _ = run(stream(body, [final]), profile="openai")
    assert found == []


def test_D006_on_an_empty_output_that_contradicts_the_stream() -> None:
    found, _ = run(text_stream(), profile="openai")
    assert found == []
    body, _final = message(0, "msg_rules_k1", ["One", "."])
    found, _ = run(stream(body, []), profile="openai")
    assert codes(found) == ["D006"]


def test_D006_message_names_its_own_comparison() -> None:
    """D006 compares the `output_item.done` item with the terminal output; no deltas."""
    body, final = message(0, "msg_rules_k2", ["Hello", " World"])
    terminal_item = copy.deepcopy(final)
    terminal_item["content"][0]["text"] = "Hello"
    found, _ = run(stream(body, [terminal_item]), profile="openai")
    assert codes(found) == ["D006"]
    message_text = found[0].message
    assert "deltas" not in message_text
    assert "`output_item.done` has 'Hello World'" in message_text
    assert "`response.completed` has 'Hello'" in message_text


# -- L rules --------------------------------------------------------------------------------------


def test_L007_before_created_needs_a_later_created() -> None:
    events = text_stream()
    del events[0]  # no response.created at all: in_progress comes first
    found, _ = run(number(events), profile="openai")
    assert codes(found) == ["L001"]


def test_L007_before_created_when_created_comes_later() -> None:
    events = text_stream()
    events[0], events[1] = events[1], events[0]
    found, _ = run(number(events), profile="openai")
    assert codes(found) == ["L001", "L007"]
    l007 = next(f for f in found if f.code == "L007")
    assert (l007.event_index, l007.event_type, l007.severity) == (0, "response.in_progress", "warning")


def test_L007_after_output_began() -> None:
    events = text_stream()
    events.insert(4, copy.deepcopy(events[1]))
    found, _ = run(number(events), profile="openai")
    assert codes(found) == ["L007"]


def test_L008_accepts_an_empty_output_list() -> None:
    found, _ = run(stream([], []), profile="openai")
    assert found == []


@pytest.mark.parametrize("key", ["output", "usage"])
@pytest.mark.parametrize("how", ["null", "absent"])
def test_L008_on_null_or_absent_output_and_usage(key: str, how: str) -> None:
    events = stream([], [])
    if how == "null":
        events[-1]["response"][key] = None
    else:
        del events[-1]["response"][key]
    found, _ = run(events, profile="openai")
    assert "L008" in codes(found)
    assert all(f.code in ("L008", "S001") for f in found)


def test_L008_does_not_require_completed_at() -> None:
    events = text_stream()
    del events[-1]["response"]["completed_at"]
    found, _ = run(events, profile="openai")
    assert found == []


# -- O rules --------------------------------------------------------------------------------------


def test_O005_allows_an_output_item_with_its_calls_call_id() -> None:
    call_id = "call_rules_l1"
    body0, final0 = function_call(0, "fc_rules_l1", call_id, ['{"city":', '"Evora"}'])
    output = {
        "id": "fco_rules_l2",
        "type": "function_call_output",
        "status": "completed",
        "call_id": call_id,
        "output": '{"temp":21}',
    }
    body1 = [
        {"type": "response.output_item.added", "output_index": 1, "item": {**output, "status": "in_progress"}},
        {"type": "response.output_item.done", "output_index": 1, "item": output},
    ]
    found, _ = run(stream(body0 + body1, [final0, output]), profile="openai")
    assert found == []


def test_O005_on_two_calls_with_one_call_id() -> None:
    body0, final0 = function_call(0, "fc_rules_m1", "call_rules_m", ['{"city":', '"Evora"}'])
    body1, final1 = function_call(1, "fc_rules_m2", "call_rules_m", ['{"city":', '"Beja"}'])
    found, _ = run(stream(body0 + body1, [final0, final1]), profile="openai")
    assert codes(found) == ["O005"]


def interleaved_calls() -> list[dict]:
    bodies, finals = [], []
    for n in range(3):
        body, final = function_call(n, f"fc_rules_n{n}", f"call_rules_n{n}", ['{"n":', f"{n}}}"])
        bodies.append(body)
        finals.append(final)
    body = [b[0] for b in bodies] + [e for b in bodies for e in b[1:]]
    return stream(body, finals)


def test_O011_once_per_added_while_a_lower_item_is_open() -> None:
    found, _ = run(interleaved_calls(), profile="openai")
    assert [(f.code, f.severity) for f in found] == [("O011", "warning"), ("O011", "warning")]


@pytest.mark.parametrize("profile", ["openrouter", "open-responses"])
def test_O011_is_off_outside_openai(profile: str) -> None:
    found, _ = run(interleaved_calls() + ["[DONE]"], profile=profile)
    assert "O011" not in codes(found)


# -- streams and resumption -----------------------------------------------------------------------


def test_a_created_at_zero_after_a_terminal_starts_stream_one() -> None:
    first = text_stream()
    second = text_stream(rid="resp_rules_second", usage={**USAGE, "total_tokens": 41})
    found, validator = run(first + second, profile="openai")
    assert [(f.code, f.stream) for f in found] == [("U001", 1)]
    assert found[0].event_index == len(second) - 1
    assert [(s.index, s.response_id, s.events) for s in validator.streams] == [
        (0, RID, len(first)),
        (1, "resp_rules_second", len(second)),
    ]


def test_a_created_that_does_not_restart_at_zero_is_not_a_new_stream() -> None:
    first = text_stream()
    second = text_stream(start=len(first))
    found, validator = run(first + second, profile="openai")
    assert "L003" in codes(found)
    assert len(validator.streams) == 1


def test_starting_after_accepts_a_resumed_stream() -> None:
    events = text_stream()[1:]  # resumed after 0: no response.created, first number 1
    found, _ = run(events, profile="openai", starting_after=0)
    assert found == []


def test_starting_after_n_expects_n_plus_one() -> None:
    events = number(text_stream()[1:], start=5)
    found, _ = run(events, profile="openai", starting_after=4)
    assert found == []
    found, _ = run(number(text_stream()[1:], start=8), profile="openai", starting_after=4)
    assert codes(found) == ["Q001"]


def test_without_starting_after_a_resumed_stream_is_Q001_and_L001() -> None:
    found, _ = run(text_stream()[1:], profile="openai")
    assert codes(found) == ["L001", "Q001"]


# -- the auto profile -----------------------------------------------------------------------------


def test_auto_picks_openrouter_on_done_and_L001_becomes_a_warning() -> None:
    events = text_stream()[1:]
    number(events)
    found, validator = run(events + ["[DONE]"])
    assert [(f.code, f.severity) for f in found] == [("L001", "warning")]
    assert validator.streams[0].profile == "openrouter"


def test_auto_picks_openai_without_markers_and_L001_is_an_error() -> None:
    events = number(text_stream()[1:])
    found, validator = run(events)
    assert [(f.code, f.severity) for f in found] == [("L001", "error")]
    assert validator.streams[0].profile == "openai"


@pytest.mark.parametrize("marker", ["cost", "is_byok"])
def test_auto_picks_openrouter_on_usage_cost(marker: str) -> None:
    usage = {**USAGE, "input_tokens_details": {"cached_tokens": 31}}  # cached > input: U002
    usage[marker] = 0.0000123 if marker == "cost" else False
    events = text_stream(usage=usage)
    found, validator = run(events)
    # openrouter: U002 is a warning, and the missing `[DONE]` is F010
    assert sorted((f.code, f.severity) for f in found) == [("F010", "warning"), ("U002", "warning")]
    assert validator.streams[0].profile == "openrouter"
    found, _ = run(events, profile="openai")
    assert [(f.code, f.severity) for f in found] == [("U002", "error")]


def test_done_under_explicit_openai_is_F015() -> None:
    found, _ = run(text_stream() + ["[DONE]"], profile="openai")
    assert [(f.code, f.severity) for f in found] == [("F015", "warning")]


def test_missing_done_under_explicit_openrouter_is_F010() -> None:
    found, _ = run(text_stream(), profile="openrouter")
    assert [(f.code, f.severity) for f in found] == [("F010", "warning")]
