"""What each event type means for the stream's structure (PROTOCOL.md sections 1 and 3).

Tables only: which item types an event family belongs to, which events are delta runs and
their `.done`, which part they write into, which hosted tools have a `*.completed` event.
"""

from __future__ import annotations

from typing import NamedTuple

from .helpers import remember

# Event type prefix -> the output item types it may address (R10). Longest prefix wins.
ITEM_FAMILIES: dict[str, frozenset[str]] = {
    "response.output_text.": frozenset({"message"}),
    "response.refusal.": frozenset({"message"}),
    "response.content_part.": frozenset({"message", "reasoning"}),
    "response.reasoning_text.": frozenset({"reasoning"}),
    "response.reasoning.": frozenset({"reasoning"}),
    "response.reasoning_summary_part.": frozenset({"reasoning"}),
    "response.reasoning_summary_text.": frozenset({"reasoning"}),
    "response.function_call_arguments.": frozenset({"function_call"}),
    "response.custom_tool_call_input.": frozenset({"custom_tool_call"}),
    "response.mcp_call_arguments.": frozenset({"mcp_call"}),
    "response.mcp_call.": frozenset({"mcp_call"}),
    "response.mcp_list_tools.": frozenset({"mcp_list_tools"}),
    "response.web_search_call.": frozenset({"web_search_call"}),
    "response.file_search_call.": frozenset({"file_search_call"}),
    "response.code_interpreter_call.": frozenset({"code_interpreter_call"}),
    "response.code_interpreter_call_code.": frozenset({"code_interpreter_call"}),
    "response.image_generation_call.": frozenset({"image_generation_call"}),
    "response.apply_patch_call_operation_diff.": frozenset({"apply_patch_call"}),
    "response.compaction.": frozenset({"compaction"}),
    "response.shell_call_command.": frozenset({"shell_call"}),
    "response.shell_call_output_content.": frozenset({"shell_call_output"}),
}


def item_family(event_type: str) -> frozenset[str] | None:
    """The item types an event of this type may address; None when it addresses no item."""
    try:
        return _FAMILY_OF[event_type]
    except KeyError:
        return remember(_FAMILY_OF, event_type, ITEM_FAMILIES.get(event_type.rsplit(".", 1)[0] + "."))


_FAMILY_OF: dict[str, frozenset[str] | None] = {}  # asked on every event: answered once per type


class DeltaKind(NamedTuple):
    """A `*.delta` run and its `.done`: the text field of the `.done`, the part it writes."""

    name: str  # what the user reads: "output_text", "function_call_arguments", ...
    done_field: str | None  # the `.done` field holding the whole text; None: not text
    part_type: str | None  # content or summary part type the run lives in; None: item-level
    part_index: str | None  # "content_index", "summary_index", "command_index" or None


_KINDS = {
    "response.output_text": DeltaKind("output_text", "text", "output_text", "content_index"),
    "response.refusal": DeltaKind("refusal", "refusal", "refusal", "content_index"),
    "response.reasoning_text": DeltaKind("reasoning_text", "text", "reasoning_text", "content_index"),
    "response.reasoning": DeltaKind("reasoning_text", "text", "reasoning_text", "content_index"),
    "response.reasoning_summary_text": DeltaKind("reasoning_summary_text", "text", "summary_text", "summary_index"),
    "response.function_call_arguments": DeltaKind("function_call_arguments", "arguments", None, None),
    "response.custom_tool_call_input": DeltaKind("custom_tool_call_input", "input", None, None),
    "response.mcp_call_arguments": DeltaKind("mcp_call_arguments", "arguments", None, None),
    "response.code_interpreter_call_code": DeltaKind("code_interpreter_call_code", "code", None, None),
    "response.apply_patch_call_operation_diff": DeltaKind("apply_patch_call_operation_diff", "diff", None, None),
    "response.shell_call_command": DeltaKind("shell_call_command", "command", None, "command_index"),
    "response.shell_call_output_content": DeltaKind("shell_call_output_content", None, None, "command_index"),
    "response.audio": DeltaKind("audio", None, None, None),
    "response.audio.transcript": DeltaKind("audio_transcript", "transcript", None, None),
}

DELTA_EVENTS: dict[str, DeltaKind] = {f"{base}.delta": kind for base, kind in _KINDS.items()}
DONE_EVENTS: dict[str, DeltaKind] = {f"{base}.done": kind for base, kind in _KINDS.items()}

# What a run of deltas pins: fastpath.HotRun takes a next delta only when these fields, and the
# kind's part_index, equal the last one's (its sequence number being the last plus one).
RUN_PINNED = ("type", "sequence_number", "output_index", "item_id")
PART_INDEX = "<part index>"  # in a rule's `reads`: the field its delta kind's part_index names

# Which content part type each text kind must write into (O008).
PART_KINDS = {"output_text": "output_text", "refusal": "refusal", "reasoning_text": "reasoning_text"}

# Hosted tool items and the events that close them (D008): `*.completed`, or `*.failed`.
HOSTED_TOOLS: dict[str, str] = {
    "web_search_call": "response.web_search_call.",
    "file_search_call": "response.file_search_call.",
    "code_interpreter_call": "response.code_interpreter_call.",
    "image_generation_call": "response.image_generation_call.",
    "mcp_call": "response.mcp_call.",
    "mcp_list_tools": "response.mcp_list_tools.",
}

# Item types that are calls (O005 compares call_id only among items of one of these types).
CALL_ITEMS = frozenset(
    {
        "function_call",
        "custom_tool_call",
        "local_shell_call",
        "shell_call",
        "apply_patch_call",
        "computer_call",
        "mcp_call",
        "tool_search_call",
    }
)
