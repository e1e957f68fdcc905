"""One frozen Config from `[tool.orvalidate]` (pyproject.toml), orvalidate.toml and flags.

The file is found from the current directory upward (pyproject.toml only when it has a
`[tool.orvalidate]` table), or named by `--config`; `--isolated` ignores every file. Flags
win over the file. Selectors are codes (`D004`), prefixes (`D`, `U00`) or names
(`done-text-mismatch`), as ruff takes them.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

from . import codes
from .model import PROFILES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LEVELS = ("error", "warning")
KEYS = (
    "select",
    "ignore",
    "extend-select",
    "severity",
    "per-file-ignores",
    "profile",
    "fail-on",
    "format",
    "include",
    "exclude",
    "schemas",
)


class ConfigError(Exception):
    """A configuration that cannot be used: exit 2 with this one-line message."""


def selects(selector: str, code: str) -> bool:
    """A code or prefix (`D004`, `D`, `U00`) selects by prefix; anything else is a rule name."""
    if re.fullmatch(r"[A-Za-z]\d{0,3}", selector):
        return code.startswith(selector.upper())
    return codes.RULES[code].name == selector


def check_selector(selector: str, where: str | None = None) -> str:
    """The selector, or ConfigError saying `where` it was found (a flag's parser names the flag)."""
    if not any(selects(selector, code) for code in codes.RULES):
        problem = f"unknown rule selector {selector!r} (a code, a prefix or a rule name)"
        raise ConfigError(f"{where}: {problem}" if where else problem)
    return selector


class Config(NamedTuple):
    select: tuple[str, ...] | None = None  # None: every rule on by default under the profile
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    # the two tables are shared by every Config that does not set them: never mutated
    severity: dict = {}  # code -> "error" | "warning"
    per_file_ignores: dict = {}  # glob -> tuple of selectors
    profile: str = "auto"
    fail_on: str = "error"
    format: str | None = None
    source: str | None = None  # the file it came from, for messages
    schemas: tuple[str, ...] = ()  # folders of user schemas (user_schemas.py), relative to the file's folder resolved
    warnings: tuple[str, ...] = ()  # unknown keys and the like, for stderr
    include: tuple[str, ...] | None = None  # globs of the files a directory search takes (None: by extension)
    exclude: tuple[str, ...] = ()  # globs of files and folders a directory search skips

    def level(self, code: str, profile: str, path: str | None = None) -> str | None:
        """The severity a finding of `code` gets, or None when it is not reported."""
        default = codes.RULES[code].severity[profile]
        if self.select is not None:
            on = any(selects(s, code) for s in self.select)
        else:
            on = default is not None
        if any(selects(s, code) for s in self.extend_select):
            on = True
        if any(selects(s, code) for s in self.ignore):
            on = False
        if on and path is not None and self._ignored_in(code, path):
            on = False
        if not on:
            return None
        for selector, level in self.severity.items():
            if selects(selector, code):
                return level
        return default or codes.RULES[code].strongest

    def finding_level(self, code: str, profile: str, path: str | None, own: str | None) -> str | None:
        """Like `level`, but a rule's own per-finding severity (D003 on an incomplete stream, a
        --strict S001) stands unless the configuration overrides that code's severity."""
        level = self.level(code, profile, path)
        if level is None or own is None or any(selects(s, code) for s in self.severity):
            return level
        return own

    def _ignored_in(self, code: str, path: str) -> bool:
        """Globs are relative to the configuration file's folder (as in ruff); a glob without
        a slash also matches the file name alone."""
        if not self.per_file_ignores:
            return False
        for pattern, selectors in self.per_file_ignores.items():
            if self.matches(pattern, path) and any(selects(s, code) for s in selectors):
                return True
        return False

    def matches(self, pattern: str, path: str) -> bool:
        """Whether a glob of this configuration (per-file-ignores, include, exclude) names `path`."""
        base = os.path.dirname(os.path.abspath(self.source)) if self.source else os.getcwd()
        relative = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
        pattern = pattern.removeprefix("./")
        return glob_match(pattern, relative) or (
            "/" not in pattern and glob_match(pattern, relative.rsplit("/", 1)[-1])
        )


def glob_match(pattern: str, path: str) -> bool:
    """A gitignore-style glob: `*` and `?` stay within a folder, `**/` spans any folders
    (none included), `[...]` is a character class."""
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        elif pattern[i] == "[" and _class_end(pattern, i) > 0:
            end = _class_end(pattern, i)
            regex, i = regex + _glob_class(pattern[i + 1 : end]), end + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.fullmatch(regex, path) is not None


def _class_end(pattern: str, start: int) -> int:
    """The index of the `]` closing the class opened at `start`, or -1 (a `]` first in the
    class, after any `!` or `^`, is a member)."""
    first = start + 1 + (pattern[start + 1 : start + 2] in ("!", "^"))
    return pattern.find("]", first + 1)


def _glob_class(body: str) -> str:
    """A glob's `[...]` as a regex class: members and `a-z` ranges are literal characters
    (`[\\d]` is a backslash or a `d`, not a digit); `!` or `^` first negates; a class never
    matches `/`."""
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    members, j = [], 0
    while j < len(body):
        if j + 2 < len(body) and body[j + 1] == "-":
            if body[j] <= body[j + 2]:  # a reversed range holds nothing
                members.append(f"{re.escape(body[j])}-{re.escape(body[j + 2])}")
            j += 3
        else:
            members.append(re.escape(body[j]))
            j += 1
    if negate:
        return "[^/" + "".join(members) + "]"
    return "[" + "".join(members) + "]" if members else "(?!)"


def find_config(start: Path) -> Path | None:
    """The nearest orvalidate.toml, or pyproject.toml with [tool.orvalidate], from start up."""
    for folder in (start, *start.parents):
        own = folder / "orvalidate.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except OSError:
                continue
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{pyproject}: not valid TOML: {exc}") from None  # as ruff does
            if "orvalidate" in data.get("tool", {}):
                return pyproject
    return None


def load(path: Path) -> Config:
    """Read a configuration file; raises ConfigError with a one-line reason."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("orvalidate", {})
    elif isinstance(data.get("tool"), dict) and "orvalidate" in data["tool"]:
        data = _tool_table(data, path)
    return from_table(data, str(path))


def _tool_table(data: dict, path: Path) -> dict:
    """`[tool.orvalidate]` written inside orvalidate.toml, as in pyproject.toml: its table is
    the configuration. With top-level keys beside it, which one was meant is unclear: exit 2."""
    others = sorted(key for key in data if key != "tool")
    if others or set(data["tool"]) != {"orvalidate"}:
        beside = others or sorted(f"tool.{key}" for key in data["tool"] if key != "orvalidate")
        raise ConfigError(
            f"{path}: [tool.orvalidate] beside {', '.join(repr(k) for k in beside)}: "
            "write the keys at the top level of orvalidate.toml, or only under [tool.orvalidate]"
        )
    table = data["tool"]["orvalidate"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.orvalidate: expected a table")
    return table


def _selectors(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of rule selectors")
    return tuple(check_selector(v, where) for v in value)


def from_table(data: dict, source: str) -> Config:
    """A Config from a parsed `[tool.orvalidate]` table."""
    warnings = tuple(f"{source}: unknown key {key!r} in [tool.orvalidate] (ignored)" for key in data if key not in KEYS)
    values: dict[str, Any] = {"source": source, "warnings": warnings}
    if "select" in data:
        values["select"] = _selectors(data["select"], f"{source}: select")
    if "ignore" in data:
        values["ignore"] = _selectors(data["ignore"], f"{source}: ignore")
    if "extend-select" in data:
        values["extend_select"] = _selectors(data["extend-select"], f"{source}: extend-select")
    if "severity" in data:
        table = data["severity"]
        if not isinstance(table, dict):
            raise ConfigError(f'{source}: severity: expected a table such as {{D004 = "error"}}')
        for selector, level in table.items():
            check_selector(selector, f"{source}: severity")
            if level not in LEVELS:
                raise ConfigError(f'{source}: severity.{selector}: expected "error" or "warning", found {level!r}')
        values["severity"] = dict(table)
    if "per-file-ignores" in data:
        table = data["per-file-ignores"]
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: per-file-ignores: expected a table of glob = [codes]")
        values["per_file_ignores"] = {
            glob: _selectors(v, f"{source}: per-file-ignores.{glob}") for glob, v in table.items()
        }
    if "profile" in data:
        if data["profile"] not in ("auto", *PROFILES):
            raise ConfigError(f"{source}: profile: expected auto, {', '.join(PROFILES)}; found {data['profile']!r}")
        values["profile"] = data["profile"]
    if "fail-on" in data:
        if data["fail-on"] not in LEVELS:
            raise ConfigError(f'{source}: fail-on: expected "error" or "warning", found {data["fail-on"]!r}')
        values["fail_on"] = data["fail-on"]
    if "format" in data:
        if not isinstance(data["format"], str):
            raise ConfigError(f"{source}: format: expected a string")
        values["format"] = data["format"]
    for key in ("include", "exclude"):
        if key in data:
            globs = [data[key]] if isinstance(data[key], str) else data[key]
            if not isinstance(globs, list) or not all(isinstance(g, str) for g in globs):
                raise ConfigError(f'{source}: {key}: expected a list of globs such as ["cassettes/**/*.yaml"]')
            values[key] = tuple(globs)
    if "schemas" in data:
        folders = data["schemas"]
        if isinstance(folders, str):
            folders = [folders]
        if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
            raise ConfigError(f"{source}: schemas: expected a list of folders of schemas")
        base = os.path.dirname(source)
        values["schemas"] = tuple(os.path.join(base, f) for f in folders)
    return Config(**values)


DEFAULT = Config()
