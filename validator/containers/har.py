"""HAR 1.2 files (browser DevTools, mitmproxy, Playwright's `record_har`): their Responses streams.

`log.entries[i].request.url` and `.response.content.mimeType` (or the Content-Type header)
select the exchange; the body is `.response.content.text`, base64 when `encoding` says so,
and still compressed when the recorder kept the wire's bytes. The standard library's JSON
parser reads it; its pure-Python scanner is given hooks that note where each object and
string starts, so findings point at the body's string (or at the entry when the body was
base64).
"""

from __future__ import annotations

import base64
import binascii
import json
import json.decoder
import json.scanner
from typing import Any, Callable

from . import Entry, Unreadable
from .http import decompressed, header, is_responses_stream


class _Placed(json.JSONDecoder):
    """A JSON decoder that records the offset of every object and string it builds, by id
    (the objects stay alive in the result, so the ids stay theirs)."""

    def __init__(self) -> None:
        super().__init__()
        self.offsets: dict[int, int] = {}
        self.parse_object = self._object  # type: ignore[assignment]
        self.parse_array = self._array  # type: ignore[assignment]
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]

    def _noting(self, scan_once: Callable) -> Callable:
        def scan(string: str, index: int) -> Any:
            value, end = scan_once(string, index)
            if type(value) is str:
                self.offsets[id(value)] = index
            return value, end

        return scan

    def _object(self, s_and_end: tuple[str, int], strict: bool, scan_once: Callable, *rest: Any) -> Any:
        value, end = json.decoder.JSONObject(s_and_end, strict, self._noting(scan_once), *rest)  # type: ignore[attr-defined]
        self.offsets[id(value)] = s_and_end[1] - 1
        return value, end

    def _array(self, s_and_end: tuple[str, int], scan_once: Callable) -> Any:
        return json.decoder.JSONArray(s_and_end, self._noting(scan_once))  # type: ignore[attr-defined]


def entries(data: bytes) -> list[Entry]:
    """The Responses streams of a HAR file; raises Unreadable when it is not one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not valid UTF-8 at byte {exc.start}") from None
    decoder = _Placed()
    try:
        root = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise Unreadable("not valid JSON: nested too deeply") from None

    def place(value: object) -> tuple[int, int]:
        offset = decoder.offsets.get(id(value), 0)
        return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)

    log = root.get("log") if isinstance(root, dict) else None
    items = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(items, list):
        raise Unreadable("not a HAR file: no `log.entries` list")
    found = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        request, response = item.get("request"), item.get("response")
        if not isinstance(request, dict) or not isinstance(response, dict):
            continue
        content: dict = response["content"] if isinstance(response.get("content"), dict) else {}
        headers = response.get("headers")
        kind = content.get("mimeType") or header(headers, "content-type")
        if not is_responses_stream(request.get("url"), kind):
            continue
        found.append(_entry(index, item, content, headers, place))
    return found


def _entry(index: int, item: dict, content: dict, headers: object, place: Callable) -> Entry:
    where = place(item)
    text = content.get("text")
    if not isinstance(text, str):
        return Entry(
            index,
            None,
            where[0],
            where[1],
            error=f"log.entries[{index}]: the Responses stream's body was not recorded (no content.text)",
        )
    if content.get("encoding") == "base64":
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            return Entry(
                index, None, where[0], where[1], error=f"log.entries[{index}]: content.text is not valid base64: {exc}"
            )
    elif content.get("encoding") not in (None, ""):
        return Entry(
            index,
            None,
            where[0],
            where[1],
            error=f"log.entries[{index}]: unknown content.encoding {content['encoding']!r}",
        )
    else:
        raw = text.encode("utf-8", "surrogatepass")
    try:
        stream = decompressed(raw, header(headers, "content-encoding"))
    except ValueError as exc:
        return Entry(index, None, where[0], where[1], error=f"log.entries[{index}]: {exc}")
    if content.get("encoding") or stream is not raw:
        return Entry(index, stream, where[0], where[1])
    return Entry(index, stream, *place(text))
