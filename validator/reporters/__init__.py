"""Reporters: a name -> reporter table. A reporter writes a whole Report to a text stream.

Each reporter's module is imported when it is first looked up: a pre-commit run that prints
text does not pay for SARIF's or GitLab's imports.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable, Iterator, Mapping

Reporter = Callable[..., None]  # (report, out); the text reporter also takes color and skip

_MODULES = {
    "text": "text",
    "json": "json_report",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
    "gitlab": "gitlab",
}


class _Reporters(Mapping[str, Reporter]):
    def __getitem__(self, name: str) -> Reporter:
        return import_module(f"{__name__}.{_MODULES[name]}").write  # KeyError for an unknown name

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


REPORTERS: Mapping[str, Reporter] = _Reporters()
