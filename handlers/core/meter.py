"""What the process counts and times for its operators (Prometheus at `/metrics`, in bot/).

Labels are the low-cardinality kinds below: a platform, a survey, an event type, an outcome.
Never a person, an agent, a chat or any text, so a metric can never point at somebody.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Counted(StrEnum):
    SURVEYS_SENT = "surveys_sent"  # platform
    SEND_ERRORS = "send_errors"  # platform
    SURVEYS_ANSWERED = "surveys_answered"  # survey: the first answer of a survey
    SURVEYS_COMPLETED = "surveys_completed"  # survey
    ANSWERS_STORED = "answers_stored"  # survey
    ALERTS = "alerts"  # event: opened, claimed, resolved
    WEBHOOK_DELIVERIES = "webhook_deliveries"  # event_type, outcome: delivered, retried, failed


class Timed(StrEnum):
    SEND = "send"  # platform: one survey's first question, from claim to the platform's answer


class Meter(Protocol):
    def count(self, what: Counted, **labels: str) -> None: ...

    def time(self, what: Timed, seconds: float, **labels: str) -> None: ...


class NullMeter:
    """Counts nothing: one-off commands and tests that do not look."""

    def count(self, what: Counted, **labels: str) -> None:
        pass

    def time(self, what: Timed, seconds: float, **labels: str) -> None:
        pass
