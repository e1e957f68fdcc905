"""Two small helpers every step uses: a value cut short for a message, and a per-type cache
that cannot grow without end."""

from __future__ import annotations

import json
from typing import Any, TypeVar

R = TypeVar("R")


def short(value: Any, limit: int = 60) -> str:
    """A value as the user would write it, cut to `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def remember(cache: dict, key: Any, value: R) -> R:
    """Keep `value` in a per-type cache (protocol.py, rules/), which starts over past
    TYPES_CACHED entries: a capture of made-up types must not grow it without end."""
    if len(cache) >= TYPES_CACHED:
        cache.clear()
    cache[key] = value
    return value


TYPES_CACHED = 1024  # answers kept per event type before a cache starts over
