"""The anonymous suggestion box: submissions that cannot be traced back, and their abuse control.

What may know the author: this process's memory, for a few minutes (a pending "/suggest" waiting
for its text) or a day (the count against the daily limit), and only as HMACs under a random key
that is never stored. What is stored: the text, its language and sentiment, the channel and the
ISO week. Nothing is logged about the person.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from zoneinfo import ZoneInfo

from handlers.core import notes
from handlers.core.characters import unstorable
from handlers.core.context import Context
from handlers.core.deadline import outside
from handlers.core.events import Sender
from handlers.core.weeks import week_of
from handlers.i18n import Lang
from handlers.suggestions.rules import SuggestionRules
from storage.suggestions import NewSuggestion, add_suggestion, claim_receipt

log = logging.getLogger(__name__)
PENDING_SECONDS = 15 * 60


class SuggestionBox:
    def __init__(self, context: Context, rules: SuggestionRules) -> None:
        self._context = context
        self._rules = rules
        self._key = secrets.token_bytes(32)  # per process, never stored or logged
        self._pending: dict[bytes, float] = {}
        self._counts: dict[bytes, int] = {}
        self._day = ""

    def _person(self, sender: Sender, salt: str = "") -> bytes:
        return hmac.new(self._key, f"{sender.platform}\0{sender.user_id}\0{salt}".encode(), hashlib.sha256).digest()

    def expect_text(self, sender: Sender) -> None:
        """The person sent /suggest alone: their next message is the suggestion."""
        now = time.monotonic()
        self._pending = {k: until for k, until in self._pending.items() if until > now}
        self._pending[self._person(sender)] = now + PENDING_SECONDS

    def awaits_text(self, sender: Sender) -> bool:
        until = self._pending.get(self._person(sender))
        return until is not None and until > time.monotonic()

    def _count(self, sender: Sender, day: str) -> bytes:
        if day != self._day:  # yesterday's counts are of no further use: forget them
            self._day, self._counts = day, {}
        return self._person(sender, day)

    async def submit(self, sender: Sender, text: str, language: Lang, event_id: str | None) -> str:
        """Store a suggestion; return the reply for its author."""
        text = text.strip()
        if not text:
            self.expect_text(sender)
            return language.say(notes.SUGGEST_PROMPT)
        if unstorable(text):
            return language.say(notes.UNSTORABLE)
        if len(text) > self._rules.max_chars:
            return language.say(notes.TOO_LONG, max=self._rules.max_chars)
        now = self._context.clock()
        local_day = now.astimezone(ZoneInfo(self._context.policy.timezone)).date().isoformat()
        counter = self._count(sender, local_day)
        if self._counts.get(counter, 0) >= self._rules.max_per_day:
            return language.say(notes.SUGGESTION_LIMIT, n=self._rules.max_per_day)
        self._pending.pop(self._person(sender), None)
        async with outside():
            verdict = await asyncio.to_thread(self._context.analyzer.analyze, text, language.code)
        week = week_of(now, self._context.policy.timezone)
        async with self._context.sessions() as session, session.begin():
            if event_id and not await claim_receipt(
                session, platform=sender.platform, event_id=event_id, iso_week=week
            ):
                return language.say(notes.SUGGESTION_THANKS)
            await add_suggestion(
                session,
                NewSuggestion(
                    text=text,
                    language=verdict.language,
                    channel=sender.platform,
                    iso_week=week,
                    sentiment=verdict.polarity,
                    sentiment_status=str(verdict.status),
                ),
            )
        self._counts[counter] = self._counts.get(counter, 0) + 1
        log.info("suggestion stored")  # the event, never the person, the chat or the text
        return language.say(notes.SUGGESTION_THANKS)
