"""Keeps secrets out of every log line, whichever library writes it (Bot API URLs carry the token)."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

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


# The id of the HTTP request being served (a header from the caller, or a fresh one), on every
# log line written while serving it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with whatever `extra` the call site gave, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD and value is not None})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def setup_logging(level: str, *, stream: TextIO | None = None) -> None:
    """JSON lines when stderr is not a terminal (a container, a service manager); readable text on one."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.addFilter(_WithRequestId())
    if stream.isatty():
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # Alembic narrates every migration step at INFO; Sayso logs one line per migration instead.
    logging.getLogger("alembic").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def log_to_file(path: Path) -> None:
    """Send every log line to `path` (JSON lines) instead of the terminal, which a console survey owns."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(_WithRequestId())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
