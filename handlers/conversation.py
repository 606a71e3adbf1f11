"""What happens when a person presses a button, types a message or sends a command."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from handlers.answers import Answers, reply_once
from handlers.core import notes
from handlers.core.callbacks import AlertPress, AnswerPress, CheckPress, LanguagePress, PollPress, SuggestPress, decode
from handlers.core.characters import typed_number
from handlers.core.context import Context
from handlers.core.deadline import outside
from handlers.core.events import ButtonPressed, CommandReceived, InboundEvent, Sender, TextReceived
from handlers.core.replies import Ack
from handlers.core.surveys import TEXT_MAX_CHARS, Kind
from handlers.digest.staff_poll import StaffPoll
from handlers.followup.alerts import FollowUp
from handlers.followup.customer import record_check_answer
from handlers.suggestions.box import SuggestionBox
from handlers.survey import machine
from handlers.survey.account import Account
from handlers.survey.prompts import help_text
from handlers.text.sentiment import TextVerdict
from storage.answers import answer_values
from storage.events import event_seen
from storage.respondents import get_respondent
from storage.survey_requests import open_request_for

log = logging.getLogger(__name__)


class Conversation:
    def __init__(
        self,
        context: Context,
        suggestions: SuggestionBox,
        *,
        staff_poll: StaffPoll | None = None,
        followup: FollowUp | None = None,
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self._context = context
        self._suggestions = suggestions
        self._staff_poll = staff_poll
        self._followup = followup
        self._account = Account(context, wake_sender=wake_sender)
        self._answers = Answers(context, followup)

    async def handle(self, event: InboundEvent) -> Ack:
        match event:
            case ButtonPressed():
                return await self._press(event)
            case TextReceived():
                return await self._text(event)
            case CommandReceived():
                return await self._command(event)

    # -- answers ---------------------------------------------------------------------------

    async def _press(self, event: ButtonPressed) -> Ack:
        payload = decode(event.data)
        if isinstance(payload, LanguagePress):
            return await self._account.set_language(event.sender, payload.code, event.event_id)
        if isinstance(payload, SuggestPress):
            return await self._suggest(event.sender, "", event.event_id)
        if isinstance(payload, PollPress) and self._staff_poll is not None:
            return await self._staff_poll.vote(event.sender, payload.week, payload.percent)
        if isinstance(payload, AlertPress) and self._followup is not None:
            return await self._followup.press(event.sender, payload.action, payload.alert_id)
        if isinstance(payload, CheckPress) and self._followup is not None:
            checked = await record_check_answer(self._context, event.sender, payload.token, payload.sorted)
            if checked is not None:
                return checked
        if not isinstance(payload, AnswerPress):
            return Ack(self._context.client_language(event.sender.language_code).say(notes.INVALID_BUTTON))
        return await self._answers.apply(
            event.sender,
            payload.token,
            payload.question_index,
            payload.value,
            event_id=event.event_id,
            pressed=event.message,
        )

    async def _text(self, event: TextReceived) -> Ack:
        context, sender = self._context, event.sender
        if self._suggestions.awaits_text(sender):
            return await self._suggest(sender, event.text, event.event_id)
        if self._followup is not None and (ack := await self._followup.take_note(sender, event.text)) is not None:
            return ack
        if not sender.private:
            return Ack()  # a reply in a staff group that is not an awaited note
        async with context.sessions() as session:
            if event.event_id and await event_seen(session, platform=sender.platform, event_id=event.event_id):
                return Ack()  # a redelivery of a message already answered
            respondent = await get_respondent(session, platform=sender.platform, user_id=sender.user_id)
            request = await open_request_for(session, respondent_id=respondent.id) if respondent else None
            answers = await answer_values(session, request_id=request.id) if request else {}
        language = context.language_of(
            respondent, requested=request.language if request else None, platform=sender.language_code
        )
        survey = context.surveys.get(request.survey) if request else None
        question = machine.pending(survey, answers) if survey else None
        if request is None or survey is None or question is None:
            return await reply_once(context, sender, event.event_id, Ack(language.say(notes.NO_OPEN_SURVEY)))
        text = event.text.strip()
        verdict: TextVerdict | None = None
        value: machine.Value
        if question.kind is Kind.TEXT:
            if problem := machine.validate(question, text):
                refusal = (
                    language.say(notes.TOO_LONG, max=TEXT_MAX_CHARS)
                    if problem == "too_long"
                    else language.say(notes.UNSTORABLE)
                    if problem == "unstorable"
                    else language.say(notes.EMPTY_TEXT)
                )
                return await reply_once(self._context, sender, event.event_id, Ack(refusal))
            value = text
            async with outside():
                verdict = await asyncio.to_thread(context.analyzer.analyze, text, request.language)
        else:
            number = typed_number(text, request.language)
            if number is None:
                low, high = question.bounds or (0, 0)
                refusal = language.say(notes.TYPE_A_NUMBER, low=low, high=high)
                return await reply_once(self._context, sender, event.event_id, Ack(refusal))
            value = number
        index = survey.index(question.id)
        return await self._answers.apply(sender, request.token, index, value, event_id=event.event_id, verdict=verdict)

    async def _command(self, event: CommandReceived) -> Ack:
        sender, command = event.sender, event.command.lower().lstrip("/")
        language = self._context.client_language(sender.language_code)
        if command in ("start", "stop", "language", "suggest") and not sender.private:
            return await reply_once(self._context, sender, event.event_id, Ack(language.say(notes.PRIVATE_ONLY)))
        if command == "suggest":
            return await self._suggest(sender, event.args, event.event_id)
        if command == "start":
            return await self._account.start(sender, event.args.strip(), event.event_id)
        if command == "stop":
            return await self._account.stop(sender, event.event_id)
        if command == "language":
            return await self._account.set_language(sender, event.args.strip(), event.event_id)
        async with self._context.sessions() as session:
            respondent = await get_respondent(session, platform=sender.platform, user_id=sender.user_id)
        shown = help_text(self._context.language_of(respondent, platform=sender.language_code))
        return await reply_once(self._context, sender, event.event_id, Ack(shown))

    async def _suggest(self, sender: Sender, text: str, event_id: str | None) -> Ack:
        """No database statement around a suggestion names its author: not even a language lookup
        (a database's statement log would put the two side by side), and no `processed_events`
        row (those carry a time); the box deduplicates on its own."""
        language = self._context.client_language(sender.language_code)
        return Ack(await self._suggestions.submit(sender, text, language, event_id))
