"""orvalidate: validate recorded Responses API streams (SSE or JSONL)."""

from __future__ import annotations

__version__ = "0.1.0"

from .api import CaptureError, FileReport, Report, StreamValidator, validate_path
from .model import Finding

__all__ = ["CaptureError", "FileReport", "Finding", "Report", "StreamValidator", "__version__", "validate_path"]
