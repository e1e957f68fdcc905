"""What counts as a credential, so that no record, log line or finding ever holds one.

A header is a credential when its name says so (`Authorization`, `X-Api-Key`, `Cookie`, a
name with `key`, `token`, `secret`, `auth`, `password`, `session` or `cookie` in it): a
gateway's own key header is caught by its name without a list of gateways. A URL loses its
user:password part and the values of query parameters with such names.
"""

from __future__ import annotations

from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_WORDS = ("auth", "key", "token", "secret", "password", "passwd", "session", "cookie", "credential", "signature")


def is_credential(name: str) -> bool:
    """A header or query parameter name that may carry a secret."""
    lowered = name.lower()
    return any(word in lowered for word in _WORDS)


def without_credentials(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The headers fit to write down: credential headers removed (not masked: even a masked
    value's length says something)."""
    return {name: value for name, value in headers if not is_credential(name)}


def safe_url(url: str) -> str:
    """The URL fit to print or write: no user:password, no secret query values."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_credential(name) for name, _ in pairs):
            query = urlencode([(name, "REDACTED" if is_credential(name) else value) for name, value in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
