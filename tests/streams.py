"""Builders of clean Responses API streams that several test modules share."""

from __future__ import annotations

import copy

RID = "resp_rules_3f9a1c7e5b2d4086a1c3e5f7091b2d4f6a8c0e2f4b6d8a0c"


def response(status: str, output: list | None = None, usage: dict | None = None, rid: str = RID, **extra) -> dict:
    body = {
        "id": rid,
        "object": "response",
        "created_at": 1767250000,
        "status": status,
        "background": False,
        "completed_at": 1767250003 if status == "completed" else None,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": "gpt-4.1-mini-2025-04-14",
        "output": copy.deepcopy(output) if output is not None else [],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": False,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": copy.deepcopy(usage),
        "user": None,
        "metadata": {},
    }
    body.update(extra)
    return body
