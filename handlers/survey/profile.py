"""A person's own settings, for platforms that show them (Slack's App Home)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.context import Context
from handlers.core.events import Sender
from handlers.i18n import Lang
from storage.respondents import get_respondent


@dataclass(frozen=True, slots=True)
class Profile:
    language: Lang
    chosen: bool  # the person picked the language themselves
    opted_out: bool


async def profile_of(context: Context, sender: Sender) -> Profile:
    async with context.sessions() as session:
        respondent = await get_respondent(session, platform=sender.platform, user_id=sender.user_id)
    language = context.language_of(respondent, platform=sender.language_code)
    chosen = bool(respondent and respondent.chosen_language)
    return Profile(language, chosen, bool(respondent and respondent.opted_out))
