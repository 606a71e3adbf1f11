"""The one list of platforms a survey or a command can name; a new channel is one entry here."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where a person is reached; stored as these strings."""

    SLACK = "slack"
    TELEGRAM = "telegram"
    CONSOLE = "console"


PLATFORM_NAMES: tuple[str, ...] = tuple(Platform)
