"""The chat commands every platform offers, with their menu descriptions (translated per language)."""

from __future__ import annotations

from handlers.i18n import N_

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Receive surveys, or open the survey you were sent")),
    ("suggest", N_("Leave an anonymous suggestion or complaint")),
    ("language", N_("Choose your language")),
    ("stop", N_("Stop receiving surveys")),
    ("help", N_("What this bot does")),
)
