"""Scheduling a survey when a helpdesk reports a finished interaction; idempotent on its id."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.context import Context
from handlers.core.platforms import LINKED, Platform
from handlers.i18n import SHIPPED, negotiate
from handlers.survey.links import NOT_STARTED, mint_link, visitor_id
from storage.models import RequestState, Respondent, SurveyRequest
from storage.respondents import ensure_respondent
from storage.survey_requests import (
    NewInteraction,
    NewRequest,
    cancel_unfinished_of_others,
    interaction_by_external_id,
    recent_request_count,
    record_interaction,
    request_by_id,
)

NOT_CONFIGURED = "platform_not_configured"


class BadTrigger(ValueError):
    """The trigger names something Sayso does not have; `field` says which part of the request."""

    field = "survey"


class UnknownSurvey(BadTrigger):
    """The trigger names a survey that is not defined."""


class UnknownLanguage(BadTrigger):
    """The trigger asks for a language no catalog ships: it would silently get the default."""

    field = "language"


class ImplausibleTime(BadTrigger):
    """The interaction ended too long ago, or in the future: a typo or a zone mix-up, not a survey to send."""

    field = "occurred_at"


# How far from now an interaction's end may be: a month back (a late helpdesk export) and a few
# minutes ahead (clocks that disagree a little).
OCCURRED_AT_MOST_AGO = timedelta(days=30)
OCCURRED_AT_MOST_AHEAD = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class TriggerRequest:
    interaction_id: str
    platform: str
    user_id: str | None  # None for the web: whoever opens the link
    survey: str | None = None
    touchpoint: str | None = None
    agent: str | None = None
    language: str | None = None
    occurred_at: datetime | None = None
    delay_seconds: int | None = None
    timezone: str | None = None  # the customer's IANA zone, kept for quiet hours
    demo: bool = False  # a terminal try-out: answered as usual, not counted in the figures


@dataclass(frozen=True, slots=True)
class TriggerResult:
    request_id: int
    status: str
    created: bool
    reason: str | None = None
    start_link: str | None = None
    due_at: datetime | None = None
    # On a repeated interaction id: the fields in which this report differs from the first one,
    # which is the one kept (the first report decided what was sent).
    differs: tuple[str, ...] = ()
    # For the web and e-mail (and a Telegram user who never started the bot): a fresh link to the
    # survey's page, `/s/{link}` under SAYSO_PUBLIC_URL. Only its hash is stored.
    link: str | None = None


# A survey whose page has something to show: a question, or its thanks.
_OPENABLE = {RequestState.SCHEDULED, RequestState.SENDING, RequestState.ACTIVE, RequestState.COMPLETED}
_FINAL = {RequestState.COMPLETED, RequestState.EXPIRED, RequestState.CANCELLED, RequestState.FAILED}


async def survey_is_over(context: Context, request_id: int) -> bool:
    """Whether the survey reached an end: completed, expired, cancelled or failed."""
    async with context.sessions() as session:
        request = await request_by_id(session, request_id=request_id)
    return request is not None and request.state in _FINAL


async def _differences(
    session: AsyncSession, req: TriggerRequest, request: SurveyRequest, owner: Respondent | None, survey: str
) -> tuple[str, ...]:
    """Which reported fields disagree with the stored first report of the same interaction id."""
    stored = await interaction_by_external_id(session, external_id=req.interaction_id)
    pairs = {
        "platform": (owner.platform if owner else None, req.platform),
        "user_id": (owner.platform_user_id if owner else None, req.user_id),
        "survey": (request.survey, survey),
        "touchpoint": (stored.touchpoint if stored else None, req.touchpoint),
        "agent": (stored.agent if stored else None, req.agent),
        "language": (stored.language if stored else None, req.language),
    }
    return tuple(name for name, (first, now) in pairs.items() if now is not None and first != now)


TERMINAL_PREFIX = "terminal-"


async def close_other_terminals(context: Context, *, keep_user: str) -> int:
    """A terminal session's surveys end with it: when a new one starts, the unfinished surveys of
    earlier terminals (a demo killed mid-way) are cancelled, so they are not re-asked, or answered,
    in a terminal that never showed them."""
    async with context.sessions() as session, session.begin():
        return await cancel_unfinished_of_others(
            session, platform="console", user_prefix=TERMINAL_PREFIX, keep_user=keep_user, reason="terminal closed"
        )


class Trigger:
    """Records reported interactions and schedules their surveys.

    At most `share` intake transactions run at once in a process (the others wait here, in
    order): a helpdesk reporting with fifty connections would otherwise fill the database pool's
    queue (SQLite's one writer, PostgreSQL's pool), and every send's intent and outcome, and every
    button press, would wait behind all fifty."""

    def __init__(self, context: Context, *, wake: Callable[[], None] = lambda: None, share: int = 8) -> None:
        self._context = context
        self._wake = wake
        self._share = asyncio.Semaphore(share)

    async def __call__(self, req: TriggerRequest) -> TriggerResult:
        context = self._context
        survey_key = req.survey or context.policy.default_survey
        if survey_key not in context.surveys:
            raise UnknownSurvey(f"unknown survey {survey_key!r}; known: {', '.join(sorted(context.surveys))}")
        if req.language and negotiate(req.language) is None:
            raise UnknownLanguage(f"unknown language {req.language!r}; shipped: {', '.join(SHIPPED)}")
        now = context.clock()
        occurred = (req.occurred_at or now).astimezone(UTC)
        if not now - OCCURRED_AT_MOST_AGO <= occurred <= now + OCCURRED_AT_MOST_AHEAD:
            raise ImplausibleTime(
                f"{occurred.isoformat()} is not a plausible end of an interaction: it must lie within the last "
                f"{OCCURRED_AT_MOST_AGO.days} days and not in the future"
            )
        delay = timedelta(seconds=req.delay_seconds) if req.delay_seconds is not None else context.policy.delay
        if req.platform == Platform.WEB:  # the customer holds the link now: the survey is open now
            delay = timedelta(0)
        user_id = req.user_id or visitor_id(req.interaction_id)
        async with self._share, context.sessions() as session, session.begin():
            respondent = await ensure_respondent(session, platform=req.platform, user_id=user_id)
            if req.timezone and respondent.timezone != req.timezone:
                respondent.timezone = req.timezone
            state, reason = await self._admission(session, respondent, now)
            language = context.language_of(respondent, requested=req.language)
            request, created = await record_interaction(
                session,
                interaction=NewInteraction(
                    external_id=req.interaction_id,
                    respondent_id=respondent.id,
                    touchpoint=req.touchpoint,
                    agent=req.agent,
                    language=req.language,
                    occurred_at=occurred,
                ),
                request=NewRequest(
                    survey=survey_key,
                    language=language.code,
                    state=state,
                    reason=reason,
                    due_at=max(occurred + delay, now) if state is RequestState.SCHEDULED else now,
                    expires_at=None,
                    demo=req.demo,
                ),
            )
            owner = (
                respondent
                if request.respondent_id == respondent.id
                else await session.get(Respondent, request.respondent_id)
            )
            differs = () if created else await _differences(session, req, request, owner, survey_key)
            # A Telegram user who never pressed Start cannot be written to: the page is their way in.
            linked = (owner is not None and owner.platform in LINKED) or request.reason == NOT_STARTED
            openable = request.state in _OPENABLE or request.reason == NOT_STARTED
            link = await mint_link(session, request.id) if linked and openable else None
        if created and request.state == RequestState.SCHEDULED and request.due_at <= now:
            self._wake()
        result = self._result(request, created, platform=owner.platform if owner else req.platform)
        return replace(result, differs=differs, link=link)

    async def _admission(
        self, session: AsyncSession, respondent: Respondent, now: datetime
    ) -> tuple[RequestState, str | None]:
        """Decide whether a new request may be sent, and if not, why."""
        channel = self._context.channels.get(respondent.platform)
        if respondent.opted_out:
            return RequestState.OPTED_OUT, None
        if channel is None:
            return RequestState.UNREACHABLE, NOT_CONFIGURED
        if respondent.unreachable_reason:
            return RequestState.UNREACHABLE, respondent.unreachable_reason
        if not channel.reaches_unknown_users and respondent.chat_id is None:
            return RequestState.UNREACHABLE, NOT_STARTED
        window = self._context.policy.throttle_window
        if window and await recent_request_count(session, respondent_id=respondent.id, since=now - window):
            return RequestState.THROTTLED, None
        return RequestState.SCHEDULED, None

    def _result(self, request: SurveyRequest, created: bool, *, platform: str) -> TriggerResult:
        link = None
        channel = self._context.channels.get(platform)
        if request.reason == NOT_STARTED and channel is not None:
            link = channel.start_link(request.token)
        return TriggerResult(
            request_id=request.id,
            status=str(request.state),
            created=created,
            reason=request.reason,
            start_link=link,
            due_at=request.due_at if request.state == RequestState.SCHEDULED else None,
        )
