"""Commands about the person themselves: /start (and start links), /stop and /language."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import notes
from handlers.core.context import Context
from handlers.core.events import Sender
from handlers.core.replies import Ack
from handlers.i18n import Lang, lang, negotiate
from handlers.survey.asking import ask_question
from handlers.survey.prompts import language_prompt
from storage.events import claim_event
from storage.models import RequestState, Respondent, SurveyRequest
from storage.respondents import ensure_respondent, get_respondent, touch
from storage.survey_requests import cancel_unfinished, open_request_for, request_by_token


class Account:
    def __init__(self, context: Context, *, wake_sender: Callable[[], None] = lambda: None) -> None:
        self._context = context
        self._wake = wake_sender

    async def _registered(self, session: AsyncSession, sender: Sender) -> Respondent:
        return await ensure_respondent(
            session,
            platform=sender.platform,
            user_id=sender.user_id,
            chat_id=sender.chat_id if sender.private else None,
            platform_language=sender.language_code,
        )

    async def start(self, sender: Sender, payload: str, event_id: str | None) -> Ack:
        context, now = self._context, self._context.clock()
        reopen: SurveyRequest | None = None
        async with context.sessions() as session, session.begin():
            if event_id and not await claim_event(session, platform=sender.platform, event_id=event_id):
                return Ack()
            respondent = await self._registered(session, sender)
            message: str | None = notes.OPTED_IN if respondent.opted_out else notes.WELCOME
            if respondent.opted_out or respondent.unreachable_reason:
                touch(respondent, opted_out=False, unreachable_reason=None)
            request = await request_by_token(session, token=payload, for_update=True) if payload else None
            if request is not None and request.respondent_id == respondent.id:
                if request.state in (RequestState.UNREACHABLE, RequestState.SCHEDULED):
                    request.state, request.reason, request.due_at, request.updated_at = (
                        RequestState.SCHEDULED,
                        None,
                        now,
                        now,
                    )
                    message = None
                elif request.state == RequestState.ACTIVE:
                    reopen = request
                    message = None
                elif request.state == RequestState.COMPLETED:
                    message = notes.ALREADY_COMPLETED
            if message == notes.WELCOME:  # a plain /start while a survey is open: show its question, not a welcome
                open_now = await open_request_for(session, respondent_id=respondent.id)
                if open_now is not None and open_now.state == RequestState.ACTIVE:
                    reopen, message = open_now, None
            language = context.language_of(respondent, platform=sender.language_code)
        if message is None and reopen is None:
            self._wake()
        if reopen is not None:
            await self._resume(sender, reopen, language)
        return Ack(language.say(message) if message else None)

    async def _resume(self, sender: Sender, request: SurveyRequest, language: Lang) -> None:
        """Ask the open question again, e.g. after the person reopened the start link."""
        survey = self._context.surveys.get(request.survey)
        channel = self._context.channels.get(sender.replies_on)
        if survey is None or channel is None or request.current_question is None:
            return
        await ask_question(self._context, channel, sender.chat_id, survey, request, request.current_question, language)

    async def stop(self, sender: Sender, event_id: str | None) -> Ack:
        context = self._context
        async with context.sessions() as session, session.begin():
            if event_id and not await claim_event(session, platform=sender.platform, event_id=event_id):
                return Ack()
            respondent = await self._registered(session, sender)
            touch(respondent, opted_out=True)
            await cancel_unfinished(session, respondent_id=respondent.id, reason="opted out")
            language = context.language_of(respondent, platform=sender.language_code)
        return Ack(language.say(notes.OPTED_OUT))

    async def set_language(self, sender: Sender, code: str, event_id: str | None) -> Ack:
        context = self._context
        chosen = negotiate(code)
        if chosen is None:  # no or an unknown code: show the choice
            return await self._offer_languages(sender)
        async with context.sessions() as session, session.begin():
            if event_id and not await claim_event(session, platform=sender.platform, event_id=event_id):
                return Ack()
            respondent = await self._registered(session, sender)
            touch(respondent, chosen_language=chosen)
            request = await open_request_for(session, respondent_id=respondent.id)
            if request is not None:
                request.language = chosen
        return Ack(lang(chosen).say(notes.LANGUAGE_SET))

    async def _offer_languages(self, sender: Sender) -> Ack:
        async with self._context.sessions() as session:
            respondent = await get_respondent(session, platform=sender.platform, user_id=sender.user_id)
        channel = self._context.channels.get(sender.replies_on)
        if channel is not None:
            await channel.ask(
                sender.chat_id, language_prompt(self._context.language_of(respondent, platform=sender.language_code))
            )
        return Ack()
