"""What both container kinds share: which exchange is a Responses stream, and its body's bytes."""

from __future__ import annotations

import zlib
from urllib.parse import urlsplit

GZIP_MAGIC = b"\x1f\x8b"


def is_responses_stream(url: object, content_type: object) -> bool:
    """A request whose path ends in /responses, answered with text/event-stream."""
    if not isinstance(url, str) or not isinstance(content_type, str):
        return False
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path.endswith("/responses") and content_type.split(";")[0].strip().lower() == "text/event-stream"


def decompressed(body: bytes, encoding: str | None) -> bytes:
    """The body as the client read it: gzip, deflate or br undone when the recorded bytes are
    still compressed (a recorder may have stored them decoded with the header kept).
    Raises ValueError with the reason when they are compressed but corrupt."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip") and body[:2] == GZIP_MAGIC:
            try:
                body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
            except zlib.error as exc:
                raise ValueError(f"the gzip body is corrupt: {exc}") from None
        elif coding == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                try:
                    body = zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
                except zlib.error:
                    pass  # already decoded
        elif coding == "br":
            try:
                import brotli  # type: ignore[import-not-found]
            except ImportError:
                raise ValueError("the body is brotli-compressed; install `brotli` to read it") from None
            try:
                body = brotli.decompress(body)
            except brotli.error:
                pass  # already decoded
    return body


def header(headers: object, name: str) -> str | None:
    """A header's value from a cassette's `{name: [values]}` or a HAR's `[{name, value}]`,
    the name in any case; several values are joined with commas."""
    values: list = []
    if isinstance(headers, dict):
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == name:
                values.extend(value if isinstance(value, list) else [value])
    elif isinstance(headers, list):
        for item in headers:
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].lower() == name:
                values.append(item.get("value"))
    found = [v for v in values if isinstance(v, str)]
    return ", ".join(found) if found else None
