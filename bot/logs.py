"""Keeps secrets out of every log line, whichever library writes it (Bot API URLs carry the token)."""

from __future__ import annotations

import logging
from typing import Any

_secrets: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is the logging module's to report
        return record
    if any(secret in message for secret in _secrets):
        for secret in _secrets:
            message = message.replace(secret, "<secret>")
        record.msg, record.args = message, None
    return record


# Libraries that log whole payloads at DEBUG: PTB every raw update (a suggestion beside its
# author's id), aiosqlite every statement with its parameters. The anonymity promise outranks
# SAYSO_LOG_LEVEL, so they never log below INFO.
_PAYLOAD_LOGGERS = ("telegram", "aiosqlite", "slack_bolt", "slack_sdk")


def keep_payloads_out() -> None:
    for name in _PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.INFO, logger.level))


def redact(*secrets: str | None) -> None:
    """Replace these values with <secret> in every log record from now on."""
    _secrets.update(secret for secret in secrets if secret and len(secret) >= 6)
    if _secrets and logging.getLogRecordFactory() is not _redacting_factory:
        logging.setLogRecordFactory(_redacting_factory)
