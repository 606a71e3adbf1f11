"""Posting signed events to the webhook receivers, per the Standard Webhooks specification
(https://www.standardwebhooks.com/): `webhook-id`, `webhook-timestamp` and `webhook-signature:
v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed with the secret after `whsec_`."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections import defaultdict

import httpx

from handlers.core.ports import Posted

SECRET_PREFIX = "whsec_"
# A receiver gets this long to answer; the delivery's lease (30 s) is longer, so a slow
# receiver's event is not claimed twice while its post is still under way.
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
IN_FLIGHT_PER_URL = 4


def signing_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret; ValueError for anything else (checked at start-up)."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"must start with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError:
        raise ValueError(f"the part after {SECRET_PREFIX} must be base64") from None
    if len(key) < 24:
        raise ValueError("the key is too short: use 24 to 64 random bytes, base64-encoded")
    return key


def signature_headers(key: bytes, event_id: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(key, f"{event_id}.{stamp}.{body}".encode(), hashlib.sha256).digest()
    return {
        "webhook-id": event_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        "content-type": "application/json",
        "user-agent": "Sayso-Webhooks/1",
    }


class SignedPoster:
    """One HTTP client for every receiver; at most `IN_FLIGHT_PER_URL` posts to one URL at once."""

    def __init__(self, secret: str, *, timeout: httpx.Timeout = TIMEOUT) -> None:
        self._key = signing_key(secret)
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._limits: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(IN_FLIGHT_PER_URL))

    async def post(self, url: str, event_id: str, body: str) -> Posted:
        async with self._limits[url]:
            # Signed now, not when queued: receivers may refuse old timestamps (replay protection).
            headers = signature_headers(self._key, event_id, body)
            try:
                reply = await self._client.post(url, content=body.encode(), headers=headers)
            except httpx.TimeoutException:
                return Posted(None, "timed out")
            except httpx.HTTPError as exc:
                return Posted(None, f"network error ({type(exc).__name__})")
        return Posted(reply.status_code, None, _retry_after(reply.headers.get("retry-after")))

    async def close(self) -> None:
        await self._client.aclose()


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare from webhook receivers and ignored)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
