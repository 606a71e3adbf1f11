"""What every use case needs, built once by the process wiring and passed down."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.meter import Meter, NullMeter
from handlers.core.outbox import Outbox
from handlers.core.policy import Policy
from handlers.core.ports import Channels
from handlers.core.surveys import Survey
from handlers.i18n import Lang, lang, negotiate
from handlers.text.sentiment import TextAnalyzer
from storage.models import Respondent
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class Context:
    sessions: async_sessionmaker[AsyncSession]
    channels: Channels
    surveys: Mapping[str, Survey]
    policy: Policy
    analyzer: TextAnalyzer = field(default_factory=TextAnalyzer)
    clock: Callable[[], datetime] = utcnow
    read_sessions: async_sessionmaker[AsyncSession] | None = None  # a separate read pool (file SQLite)
    outbox: Outbox = field(default_factory=Outbox)
    meter: Meter = field(default_factory=NullMeter)

    @property
    def reads(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for work that only reads (figures, health, what a send needs): on SQLite these
        never wait behind the single writer; writing through them fails (query_only)."""
        return self.read_sessions or self.sessions

    def language_of(
        self, respondent: Respondent | None, *, requested: str | None = None, platform: str | None = None
    ) -> Lang:
        """The respondent's own choice first, then the trigger's language, then the client's, then the default.

        An explicit choice wins over a helpdesk's guess: a person who picked Urdu should not
        get English because the CRM record says so.
        """
        for code in (
            respondent.chosen_language if respondent else None,
            requested,
            respondent.platform_language if respondent else None,
            platform,
        ):
            if negotiate(code):
                return lang(code)
        return lang(self.policy.default_language)

    def client_language(self, code: str | None) -> Lang:
        """The language of a person whose settings are not read (staff, or a reply when the
        database is down): their client's, if we ship it, else the default."""
        return self.language_of(None, platform=code)
