"""Which files a directory holds to check: captures, and the cassettes and HAR files around them.

A directory is walked in sorted order. A file is taken when `include` names it (by default,
when its extension is a capture's or a container's, in any case) and no `exclude` glob names it or a folder
above it; globs are read as `per-file-ignores` reads them. A `.yaml`/`.yml` file is taken
only when it is a VCR cassette, so a folder's other YAML files are left alone.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator

from .api import CAPTURE_EXTENSIONS as CAPTURES
from .config import DEFAULT, Config

CASSETTES = (".yaml", ".yml")
HARS = (".har",)
_BY_FORMAT = {None: CAPTURES + HARS + CASSETTES, "sse": CAPTURES, "jsonl": CAPTURES, "cassette": CASSETTES, "har": HARS}


def under(folder: str, config: Config = DEFAULT, input_format: str | None = None) -> Iterator[str]:
    """The files to check under `folder`, in sorted order."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _excluded(os.path.join(root, d), config))
        for name in files:
            path = os.path.join(root, name)
            if taken(path, config, input_format):
                found.append(path)
    yield from sorted(found)


def taken(path: str, config: Config = DEFAULT, input_format: str | None = None, opener: Callable = open) -> bool:
    """Whether a directory search takes the file at `path`: `include` names it (by default, its
    extension is one `input_format` reads), no `exclude` glob names it, and a .yaml/.yml file
    is a cassette (read through `opener`, as far as its `interactions` key)."""
    name = os.path.basename(path).lower()
    if config.include is None:
        wanted = name.endswith(_BY_FORMAT[input_format])
    else:
        wanted = any(config.matches(glob, path) for glob in config.include)
    if not wanted or _excluded(path, config):
        return False
    if input_format is not None or not name.endswith(CASSETTES):
        return True
    from .containers.cassette import is_cassette

    return is_cassette(path, opener)


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
