"""Which files a directory holds to check: captures, and the cassettes and HAR files around them.

A directory is walked in sorted order. A file is taken when `include` names it (by default,
when its extension is a capture's or a container's, in any case) and no `exclude` glob names it or a folder
above it; globs are read as `per-file-ignores` reads them. A `.yaml`/`.yml` file is taken
only when it is a VCR cassette, so a folder's other YAML files are left alone.
"""

from __future__ import annotations

import os
from typing import Iterator

from .api import CAPTURE_EXTENSIONS as CAPTURES
from .config import DEFAULT, Config

CASSETTES = (".yaml", ".yml")
HARS = (".har",)
_BY_FORMAT = {None: CAPTURES + HARS + CASSETTES, "sse": CAPTURES, "jsonl": CAPTURES, "cassette": CASSETTES, "har": HARS}


def under(folder: str, config: Config = DEFAULT, input_format: str | None = None) -> Iterator[str]:
    """The files to check under `folder`, in sorted order."""
    extensions = _BY_FORMAT[input_format]
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _excluded(os.path.join(root, d), config))
        for name in files:
            path = os.path.join(root, name)
            if config.include is None:
                taken = name.lower().endswith(extensions)
            else:
                taken = any(config.matches(glob, path) for glob in config.include)
            if taken and not _excluded(path, config):
                if input_format is None and name.lower().endswith(CASSETTES) and not _is_cassette(path):
                    continue
                found.append(path)
    yield from sorted(found)


def _excluded(path: str, config: Config) -> bool:
    """Whether an `exclude` glob names the path or one of the folders above it."""
    if not config.exclude:
        return False
    base = os.path.dirname(os.path.abspath(config.source)) if config.source else os.getcwd()
    path = os.path.abspath(path)
    while path.startswith(base + os.sep):  # the folders below the configuration's own
        if any(config.matches(glob, path) for glob in config.exclude):
            return True
        path = os.path.dirname(path)
    return False


def _is_cassette(path: str) -> bool:
    from .containers.cassette import is_cassette

    return is_cassette(path)
