"""Slack's request checks, done on the raw bytes before Bolt's listeners see them.

The signature is checked first, so an unsigned or forged request is refused (401) before any of it
is parsed, and nothing of it is logged: Bolt's own check logs the whole body of a refused request,
which would put a suggestion beside its author's user id in the log. A signed request that does not
parse gets 400. Each refusal is one log line naming the reason, never the payload. The body is
parsed once: the request checked here is the one Bolt dispatches.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest

from bot.slack_adapter.payloads import payload_problem

log = logging.getLogger(__name__)

# Slack's recommendation: refuse requests whose timestamp is more than five minutes off.
MAX_SKEW_SECONDS = 5 * 60


def signature_problem(
    secret: str, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> str | None:
    """Why the `v0` signature does not hold (a short reason for the log), or None when it does."""
    if not timestamp or not signature:
        return "no signature"
    if not timestamp.isdigit():
        return "malformed timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_SKEW_SECONDS:
        return "timestamp too old or in the future (clock skew?)"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "wrong signature (check SLACK_SIGNING_SECRET)"
    return None


def bolt_request(body: bytes, query: Mapping[str, str], headers: Mapping[str, str]) -> AsyncBoltRequest | str:
    """Bolt's request for a signed body, or why the body is not a Slack payload Bolt can take."""
    try:
        request = AsyncBoltRequest(body=body.decode("utf-8"), query=dict(query), headers=dict(headers))
    except UnicodeDecodeError:
        return "body is not UTF-8"
    except (RecursionError, ValueError, KeyError, TypeError, AttributeError, IndexError):  # ValueError: bad JSON too
        return "body is not a Slack payload"
    if not isinstance(request.body, dict) or not _slack_shaped(request.body):
        return "body is not a Slack payload"
    return payload_problem(request.body) or request


# The fields Bolt's own middleware reads before any listener runs, with the shape Slack gives them.
_OBJECTS = ("user", "container", "channel", "view", "event", "message", "state")
_MAYBE_OBJECTS = ("team", "enterprise")
_LISTS_OF_OBJECTS = ("actions", "authorizations")
_TEXT = ("type", "team_id", "api_app_id", "enterprise_id", "user_id", "channel_id", "trigger_id", "command")


def _slack_shaped(payload: dict[str, Any]) -> bool:
    """Whether Bolt can read this payload without tripping: a signed request can still carry any JSON."""
    checks = (
        all(isinstance(payload.get(key, {}), dict) for key in _OBJECTS),
        all(isinstance(payload.get(key), dict | None) for key in _MAYBE_OBJECTS),
        all(
            isinstance(payload.get(key, []), list) and all(isinstance(item, dict) for item in payload.get(key, []))
            for key in _LISTS_OF_OBJECTS
        ),
        all(isinstance(payload.get(key, ""), str) for key in _TEXT),
        all(
            isinstance(payload.get(outer, {}).get(key, ""), str)
            for outer in ("event", "user", "team", "container", "view")
            if isinstance(payload.get(outer), dict)
            for key in ("type", "id", "user", "channel", "channel_id", "subtype", "bot_id", "team_id")
        ),
    )
    return all(checks)
