"""Slack's request checks, done on the raw bytes before Bolt sees them.

The signature is checked first, so an unsigned or forged request is refused (401) before any of it
is parsed, and nothing of it is logged: Bolt's own check logs the whole body of a refused request,
which would put a suggestion beside its author's user id in the log. A signed request that does not
parse gets 400. Each refusal is one log line naming the reason, never the payload.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

from slack_bolt.request.internals import parse_body

log = logging.getLogger(__name__)

# Slack's recommendation: refuse requests whose timestamp is more than five minutes off.
MAX_SKEW_SECONDS = 5 * 60


def signature_problem(secret: str, body: bytes, timestamp: str | None, signature: str | None,
                      now: float | None = None) -> str | None:  # fmt: skip
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


def parse_problem(body: bytes, content_type: str | None) -> str | None:
    """Why a signed body is not a Slack payload, or None when Bolt can take it."""
    try:
        parsed: Any = parse_body(body.decode("utf-8"), content_type)
    except UnicodeDecodeError:
        return "body is not UTF-8"
    except (json.JSONDecodeError, RecursionError, ValueError):
        return "body is not a Slack payload"
    if not isinstance(parsed, dict):
        return "body is not a Slack payload"
    return None
