"""The rules, one module per family; importing them registers them (see registry.py)."""

from . import completeness, framing, items, lifecycle, schema, sequence, usage  # noqa: F401  (registration)
from .registry import CLOSE_CHECKS, DOCS, EVENT_CHECKS, checks_for, run_checks

__all__ = ["CLOSE_CHECKS", "DOCS", "EVENT_CHECKS", "checks_for", "run_checks"]
