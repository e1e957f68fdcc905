"""orvalidate: validate recorded Responses API streams (SSE or JSONL).

The names below load on first use, so that the console script can guard its own start-up
(Ctrl-C while modules load) and `import orvalidate` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "CaptureError": "api",
    "FileReport": "api",
    "Report": "api",
    "StreamValidator": "api",
    "ByteStreamValidator": "incremental",
    "validate_path": "api",
    "Finding": "model",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'orvalidate' has no attribute {name!r}")
