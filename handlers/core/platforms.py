"""The one list of platforms a survey or a command can name; a new channel is one entry here."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where a person is reached; stored as these strings."""

    SLACK = "slack"
    TELEGRAM = "telegram"
    CONSOLE = "console"
    WEB = "web"  # a survey link: the page at /s/{token}, for customers outside chat
    EMAIL = "email"  # an invitation e-mail whose links open that page


PLATFORM_NAMES: tuple[str, ...] = tuple(Platform)
# Chats, where a person has a conversation with the bot: the suggestion box and staff posts live only here.
CHATS: frozenset[Platform] = frozenset({Platform.SLACK, Platform.TELEGRAM, Platform.CONSOLE})
# Surveys answered on the page: they carry a link, and no one is identified but by it (or an address).
LINKED: frozenset[Platform] = frozenset({Platform.WEB, Platform.EMAIL})
