"""VCR.py cassettes (the YAML that vcrpy and pytest-recording write): their Responses streams.

`interactions[i].request.uri` and `.response.headers` select the exchange; the body is
`.response.body.string` (vcrpy: text, or `!!binary` base64 when the bytes are not UTF-8 or
still gzip-compressed), `.response.body` as a plain string, `.response.content` (vcrpy's
older httpx form) or `.response.parsed_body` when it holds text. The file is read with
PyYAML's composer, which keeps every node's place, so a finding points at the body's line; a
body written as a literal block (`string: |`) maps each stream line to its own file line.
"""

from __future__ import annotations

from typing import Any, Callable

from . import Entry, Unreadable
from .http import decompressed, header, is_responses_stream


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def is_cassette(path: str, opener: Callable = open) -> bool:
    """Whether the YAML file at `path` (opened with `opener`: fsspec's for a URL) is a mapping
    with an `interactions` list; reads only as far as that key (a directory's other YAML files
    are not parsed whole)."""
    import yaml

    try:
        with opener(path, "rb") as stream:
            events = yaml.parse(stream, Loader=_loader())
            for event in events:
                if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentStartEvent)):
                    continue
                if not isinstance(event, yaml.MappingStartEvent):
                    return False
                break
            depth = 0
            key = True  # at depth 0, the next node is a key of the top-level mapping
            for event in events:
                if depth == 0 and isinstance(event, yaml.MappingEndEvent):
                    return False
                if depth == 0 and key and isinstance(event, yaml.ScalarEvent) and event.value == "interactions":
                    return isinstance(next(events), yaml.SequenceStartEvent)
                if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    depth += 1
                elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    depth -= 1
                if depth == 0:
                    key = not key
    except (OSError, StopIteration, yaml.YAMLError):
        return False
    return False


MAX_DEPTH = 1000  # as libyaml 0.2.6 and later; YAML's composer recurses once per level


def _refuse_deep_nesting(events: Any) -> None:
    """Raise Unreadable at the node that nests past MAX_DEPTH. The event parser keeps no
    stack, but the composer of PyYAML's C loader recurses in C: with a libyaml older than
    0.2.6 (PyYAML 6.0.3 bundles 0.2.5) a cassette of 50,000 `[` overflows the C stack and
    the process dies of SIGSEGV, which no `except` can catch."""
    import yaml

    depth = 0
    for event in events:
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise Unreadable("not valid YAML: exceeded maximum nesting depth", mark.line + 1, mark.column + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def entries(data: bytes) -> list[Entry]:
    """The Responses streams of a cassette; raises Unreadable when it is not one."""
    import yaml

    try:
        _refuse_deep_nesting(yaml.parse(data, Loader=_loader()))
        root = yaml.compose(data, Loader=_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise Unreadable(f"not valid YAML: {exc.problem or exc.context}", *where) from None
    except yaml.YAMLError as exc:  # undecodable bytes, for one
        raise Unreadable(f"not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise Unreadable("not valid YAML: nested too deeply") from None
    interactions = _child(root, "interactions")
    if not isinstance(interactions, yaml.SequenceNode):
        raise Unreadable("not a VCR cassette: no `interactions` list at the top level")
    constructor = yaml.constructor.SafeConstructor()
    found = []
    for index, node in enumerate(interactions.value):
        request, response = _child(node, "request"), _child(node, "response")
        headers = _value(constructor, _child(response, "headers"))
        if not is_responses_stream(_value(constructor, _child(request, "uri")), header(headers, "content-type")):
            continue
        found.append(_entry(index, node, response, headers, constructor, data))
    return found


def _entry(index: int, interaction: Any, response: Any, headers: Any, constructor: Any, data: bytes) -> Entry:
    import yaml

    start = interaction.start_mark
    where = (start.line + 1, start.column + 1)
    body = _child(response, "body")
    if isinstance(body, yaml.MappingNode):
        body = _child(body, "string")
    if body is None:
        body = _child(response, "content") or _child(response, "parsed_body")
    try:
        value = constructor.construct_object(body, deep=True) if body is not None else None
    except (yaml.YAMLError, RecursionError) as exc:  # bad base64 under !!binary, for one
        problem = getattr(exc, "problem", None) or exc
        return Entry(
            index, None, where[0], where[1], error=f"interactions[{index}]: the body cannot be decoded: {problem}"
        )
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")  # a lone surrogate escape: F001 for the reader
    elif isinstance(value, bytes):
        raw = value
    elif value is None:
        return Entry(
            index, None, where[0], where[1], error=f"interactions[{index}]: the Responses stream has no recorded body"
        )
    else:
        return Entry(
            index,
            None,
            where[0],
            where[1],
            error=f"interactions[{index}]: the body is a {type(value).__name__}, not text",
        )
    try:
        stream = decompressed(raw, header(headers, "content-encoding"))
    except ValueError as exc:
        return Entry(index, None, where[0], where[1], error=f"interactions[{index}]: {exc}")
    if not isinstance(value, str) or stream is not raw:
        return Entry(index, stream, where[0], where[1])  # stored as base64 or compressed: the interaction's line
    mark = body.start_mark
    literal = _literal_indent(body, data, value)
    if literal is not None:
        return Entry(index, stream, mark.line + 2, literal + 1, literal_line=mark.line + 1)
    return Entry(index, stream, mark.line + 1, mark.column + 1)


def _literal_indent(node: Any, data: bytes, value: str) -> int | None:
    """The indentation of a `|` block scalar's lines when each of the value's lines is one
    line of the file (the file's line breaks are all LF), else None."""
    if node.style != "|" or b"\r" in data or any(c in value for c in "\x85\u2028\u2029"):
        return None
    lines = data.decode("utf-8", "replace").split("\n")
    first, last = node.start_mark.line, node.end_mark.line
    indicator = lines[first][node.start_mark.column :].split("#")[0].strip()
    if any(ch.isdigit() for ch in indicator):
        return None  # an explicit indentation indicator: rare, and not worth the arithmetic
    if last - first < value.count("\n"):
        return None
    for line in lines[first + 1 : last + 1]:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return None


def _child(node: Any, key: str) -> Any:
    """The value node of `key` in a mapping node, or None."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _value(constructor: Any, node: Any) -> Any:
    """The Python value of a node (None for no node, or one that does not construct)."""
    import yaml

    if node is None:
        return None
    try:
        return constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
