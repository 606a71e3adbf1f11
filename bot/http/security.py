"""Headers a security reviewer expects on every page a browser renders (the console, the survey pages).

No script is needed or allowed, nothing loads from another origin, no page can be framed, and no
page is cached: each shows someone's data or a survey's state.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class PageHeaders:
    """Adds `PAGE_HEADERS` to every response under `prefixes` (and `/`, which redirects to the console)."""

    def __init__(self, app: ASGIApp, prefixes: Sequence[str]) -> None:
        self._app = app
        self._prefixes = tuple(prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/" or path.startswith(self._prefixes)):
            await self._app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    headers[name] = value
                if path.startswith(("/console/static/", "/console/fonts/", "/s/assets/")):  # its own files
                    headers["Cache-Control"] = "public, max-age=3600"
            await send(message)

        await self._app(scope, receive, with_headers)
