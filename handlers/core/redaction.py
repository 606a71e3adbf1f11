"""What output may show of a URL: where it points, never a secret in it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# A path segment this long and this plain is as likely a token (Slack's webhook paths, a key) as a name.
_TOKEN_LIKE = re.compile(r"^[A-Za-z0-9_\-]{16,}$")


def masked_url(url: str) -> str:
    """`url` without its password, query or (web URLs) user, and with token-like path segments replaced by "…".

    For every URL Sayso prints or logs: webhook receivers, API bases and database URLs (whose
    password may sit in the netloc or in a `?password=` parameter)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "…"
    if not parts.scheme:
        return "…"
    web = parts.scheme.startswith("http")  # a web URL's path or user may be a token; a database's is a name
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{host}:{port}" if port else host
    if parts.username and not web:  # a database user is a name; in a web URL, a token
        netloc = f"{parts.username}@{netloc}"
    path = "/".join("…" if web and _TOKEN_LIKE.match(segment) else segment for segment in parts.path.split("/"))
    return f"{parts.scheme}://{netloc}{path}" + ("?…" if parts.query else "")
