"""Inviting people to use the suggestion box, at most once per cadence period each."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers.core import notes
from handlers.core.callbacks import SUGGEST
from handlers.core.context import Context
from handlers.core.ports import DeliveryFailed, Outbound
from handlers.core.replies import Option, Prompt
from handlers.i18n import Lang
from storage.models import Respondent, ThemeResponse
from storage.respondents import invitable, touch
from storage.suggestions import claim_prompt, latest_responses

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Cadence:
    every_days: int
    platforms: Sequence[str] = ("telegram",)
    slack_channels: Sequence[str] = ()
    timezone: str = "UTC"


class SuggestionPrompter:
    def __init__(self, context: Context, cadence: Cadence) -> None:
        self._context = context
        self._cadence = cadence

    def period(self) -> str:
        """The current cadence period, counted in local days: each target gets one prompt in it."""
        today = self._context.clock().astimezone(ZoneInfo(self._cadence.timezone)).date()
        return f"{self._cadence.every_days}d-{today.toordinal() // self._cadence.every_days}"

    async def run_once(self) -> int:
        """Send this period's invitations that are still due; return how many went out."""
        if self._cadence.every_days <= 0:
            return 0
        period = self.period()
        async with self._context.sessions() as session:
            responses = await latest_responses(session, limit=2)
        sent = 0
        after = 0
        while True:
            async with self._context.sessions() as session:
                batch = await invitable(session, platforms=self._cadence.platforms, after_id=after)
            if not batch:
                break
            after = batch[-1].id
            for respondent in batch:
                channel = self._context.channels.get(respondent.platform)
                if channel is None or not await self._claim(f"respondent:{respondent.id}", period):
                    continue
                language = self._context.language_of(respondent)
                sent += await self._send(channel, respondent.chat_id, language, responses, respondent.id)  # type: ignore[arg-type]
        slack = self._context.channels.get("slack")
        for channel_id in self._cadence.slack_channels:
            if slack is not None and await self._claim(f"slack:{channel_id}", period):
                sent += await self._send(slack, channel_id, self._context.language_of(None), responses, None)
        log.info("suggestion invitations sent", extra={"count": sent, "period": period})
        return sent

    async def _claim(self, target: str, period: str) -> bool:
        async with self._context.sessions() as session, session.begin():
            return await claim_prompt(session, target=target, period=period)

    async def _send(
        self, channel: Outbound, chat_id: str, language: Lang, responses: list[ThemeResponse], respondent_id: int | None
    ) -> int:
        lines = [language.gettext(notes.SUGGESTION_INVITE)]
        lines += [
            language.gettext(notes.YOU_SAID_WE_DID) % {"theme": response.theme, "response": response.response}
            for response in responses
        ]
        button = Option("✍", language.gettext(notes.SUGGEST_BUTTON), SUGGEST)
        prompt = Prompt(text=language.directional("\n\n".join(lines)), options=(button,), rtl=language.rtl)
        try:
            await channel.ask(chat_id, prompt)
        except DeliveryFailed as failure:
            if failure.permanent and respondent_id is not None:
                await self._mark_unreachable(respondent_id, failure.reason)
            log.warning("suggestion invitation failed", extra={"reason": failure.reason})
            return 0
        return 1

    async def _mark_unreachable(self, respondent_id: int, reason: str) -> None:
        async with self._context.sessions() as session, session.begin():
            respondent = await session.get(Respondent, respondent_id)
            if respondent is not None:
                touch(respondent, unreachable_reason=reason[:200])
