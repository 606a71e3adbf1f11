"""Checks that run before any route reads a byte of the body: the size limit and the API token.

A request that is too large is refused from its Content-Length, or as soon as the bytes read pass
the limit, so a 300 MB upload is never held in memory. `/api/v1` callers are authenticated before
their body is parsed, so an unauthenticated caller learns nothing about the body's schema.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.logs import request_id

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
HOOKS_PREFIX = "/api/v1/hooks/"
API_DISABLED = "the API is disabled: set SAYSO_API_TOKEN to enable it"
API_UNAUTHORIZED = "missing or wrong bearer token"
HOOKS_DISABLED = "helpdesk connectors are disabled: set SAYSO_HOOK_SECRET to enable them"
HOOKS_UNAUTHORIZED = "missing or wrong hook secret (the X-Sayso-Hook-Secret header or the secret query parameter)"


# Paths that carry a secret in them: a survey link, an invitation link. Logged without it.
_SECRET_PATHS = ("/s/", "/console/invite/")


def loggable(path: str) -> str:
    """`path` as a log may show it: `/s/…` for a survey link, never the token."""
    for prefix in _SECRET_PATHS:
        if path.startswith(prefix) and not path.startswith("/s/assets/"):
            return prefix + "…"
    return path


@dataclass(frozen=True, slots=True)
class BodyLimit:
    prefix: str
    max_bytes: int


class _TooLarge(Exception):
    pass


def token_problem(authorization: str | None, expected: SecretStr | None) -> tuple[int, str] | None:
    """Why a bearer token is refused (status, message), or None when it is the configured one."""
    if expected is None:
        return 503, API_DISABLED
    scheme, _, token = (authorization or "").partition(" ")
    given, wanted = token.strip().encode(), expected.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, wanted):
        return 401, API_UNAUTHORIZED
    return None


def hook_problem(header: str | None, query: bytes, expected: SecretStr | None) -> tuple[int, str] | None:
    """Why a helpdesk connector call is refused, or None. The secret comes in a header where the
    helpdesk can set one, else in the URL's `secret` parameter (Chatwoot's webhooks send no custom
    headers); either way it is compared in constant time."""
    if expected is None:
        return 503, HOOKS_DISABLED
    given = header or next(iter(parse_qs(query.decode("latin-1")).get("secret", [])), "")
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        return 401, HOOKS_UNAUTHORIZED
    return None


class RequestGuard:
    """ASGI middleware: per-path body limits (413) and the API token (401/503), before the app runs."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: Sequence[BodyLimit],
        default_max_bytes: int,
        api_token: SecretStr | None,
        hook_secret: SecretStr | None,
    ) -> None:
        self._app = app
        self._limits = sorted(limits, key=lambda limit: len(limit.prefix), reverse=True)
        self._default = default_max_bytes
        self._token = api_token
        self._hook_secret = hook_secret

    def _limit(self, path: str) -> int:
        return next((limit.max_bytes for limit in self._limits if path.startswith(limit.prefix)), self._default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        if path.startswith(HOOKS_PREFIX):
            secret = headers.get("x-sayso-hook-secret")
            problem = hook_problem(secret, scope.get("query_string", b""), self._hook_secret)
        elif path.startswith(API_PREFIX):
            problem = token_problem(headers.get("authorization"), self._token)
        else:
            problem = None
        if problem:
            status, message = problem
            log.info("API request refused", extra={"path": loggable(path), "status": status})
            extra = {"www-authenticate": "Bearer"} if status == 401 else {}
            await _answer(send, status, message, extra)
            return
        limit = self._limit(path)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(send, path, limit)
            return
        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not refused:
                    # Answer now: frameworks turn an error while reading the body into their own 400.
                    refused = True
                    if not started:
                        await self._too_large(send, path, limit)
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the app answers after it is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self._app(scope, counting_receive, guarded_send)

    @staticmethod
    async def _too_large(send: Send, path: str, limit: int) -> None:
        log.info("request body too large", extra={"path": loggable(path), "limit": limit})
        await _answer(send, 413, f"request body larger than {limit} bytes")


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(key.encode(), value.encode()) for key, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestId:
    """Every log line while serving carries the caller's X-Request-ID, or a fresh one, echoed back.
    (Plain ASGI: Starlette's BaseHTTPMiddleware costs a task and a memory stream per request.)"""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        given = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"x-request-id"), "")
        token = request_id.set(given[:64] if given.isprintable() and given else uuid.uuid4().hex)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", (request_id.get() or "").encode())]
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
