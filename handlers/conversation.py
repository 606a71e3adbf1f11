"""What happens when a person presses a button, types a message or sends a command."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handlers.core import notes
from handlers.core.callbacks import AlertPress, AnswerPress, CheckPress, LanguagePress, PollPress, SuggestPress, decode
from handlers.core.context import Context
from handlers.core.events import ButtonPressed, CommandReceived, InboundEvent, MessageRef, Sender, TextReceived
from handlers.core.ports import DeliveryFailed
from handlers.core.replies import Ack
from handlers.core.surveys import TEXT_MAX_CHARS, Kind, Survey
from handlers.digest.staff_poll import StaffPoll
from handlers.followup.alerts import FollowUp
from handlers.followup.customer import record_check_answer
from handlers.i18n import Lang
from handlers.suggestions.box import SuggestionBox
from handlers.survey import machine
from handlers.survey.account import Account
from handlers.survey.asking import remember
from handlers.survey.machine import Outcome, Status
from handlers.survey.prompts import answered_text, help_text, question_prompt
from handlers.text.sentiment import TextVerdict
from storage.events import claim_event, event_seen
from storage.models import RequestState, SurveyRequest
from storage.requests import (
    AnswerValue,
    answer_values,
    open_request_for,
    request_by_token,
    save_answer,
)
from storage.respondents import get_respondent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Applied:
    """What an answer changed, carried from the transaction to the replies sent after it."""

    step: machine.Step
    survey: Survey
    request: SurveyRequest
    language: Lang
    question_id: str
    value: machine.Value
    previous_question: str | None
    has_alert: bool = False  # the survey has a low-score alert (told to the customer once it is over)


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
            return Ack(self._context.language_of(None, platform=event.sender.language_code).say(notes.INVALID_BUTTON))
        return await self._answer(
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
        language = context.language_of(respondent, requested=request.language if request else None,
                                      platform=sender.language_code)  # fmt: skip
        survey = context.surveys.get(request.survey) if request else None
        question = machine.pending(survey, answers) if survey else None
        if request is None or survey is None or question is None:
            return Ack(language.say(notes.NO_OPEN_SURVEY))
        text = event.text.strip()
        verdict: TextVerdict | None = None
        value: machine.Value
        if question.kind is Kind.TEXT:
            if problem := machine.validate(question, text):
                return Ack(language.say(notes.TOO_LONG, max=TEXT_MAX_CHARS) if problem == "too_long"
                           else language.say(notes.EMPTY_TEXT))  # fmt: skip
            value = text
            verdict = await asyncio.to_thread(context.analyzer.analyze, text, request.language)
        else:
            try:
                value = int(text)
            except ValueError:
                low, high = question.bounds or (0, 0)
                return Ack(language.say(notes.TYPE_A_NUMBER, low=low, high=high))
        index = survey.index(question.id)
        return await self._answer(sender, request.token, index, value, event_id=event.event_id, verdict=verdict)

    async def _answer(
        self,
        sender: Sender,
        token: str,
        question_index: int,
        value: machine.Value,
        *,
        event_id: str | None,
        pressed: MessageRef | None = None,
        verdict: TextVerdict | None = None,
    ) -> Ack:
        context = self._context
        now = context.clock()
        async with context.sessions() as session, session.begin():
            if event_id and not await claim_event(session, platform=sender.platform, event_id=event_id):
                return Ack()  # a redelivery: the first delivery did everything already
            respondent = await get_respondent(session, platform=sender.platform, user_id=sender.user_id)
            request = await request_by_token(session, token=token, for_update=True)
            language = context.language_of(respondent, platform=sender.language_code)
            if request is None or respondent is None or request.respondent_id != respondent.id:
                return Ack(language.say(notes.INVALID_BUTTON))
            language = context.language_of(respondent, requested=request.language, platform=sender.language_code)
            survey = context.surveys.get(request.survey)
            if survey is None or question_index >= len(survey.questions):
                return Ack(language.say(notes.INVALID_BUTTON))
            if respondent.opted_out:
                return Ack(language.say(notes.OPTED_OUT_PRESS))
            question = survey.questions[question_index]
            answers = await answer_values(session, request_id=request.id)
            step = machine.answer(survey, self._status(request, now), answers, question.id, value)
            previous = request.current_question
            if step.store:
                await save_answer(session, request_id=request.id, answer=_answer_value(question.id, value, verdict))
                if self._followup is not None and value is not None:  # same transaction: a low score has its alert
                    await self._followup.note_answer(session, request, question.id, value, verdict)
                request.current_question = step.next_question.id if step.next_question else None
                if step.completed:
                    request.state, request.completed_at = RequestState.COMPLETED, now
                request.updated_at = now
            has_alert = bool(step.completed and self._followup and await self._followup.has_alert(session, request.id))
        applied = _Applied(step, survey, request, language, question.id, value, previous, has_alert)
        return self._reply(sender, applied, pressed)

    def _status(self, request: SurveyRequest, now: datetime) -> Status:
        if request.state == RequestState.COMPLETED:
            return Status.COMPLETED
        if request.state == RequestState.ACTIVE and request.expires_at and request.expires_at <= now:
            request.state, request.updated_at = RequestState.EXPIRED, now
        # SENDING: the first question is out but the survey sender has not recorded it yet.
        return Status.OPEN if request.state in (RequestState.ACTIVE, RequestState.SENDING) else Status.CLOSED

    def _reply(self, sender: Sender, applied: _Applied, pressed: MessageRef | None) -> Ack:
        step, language = applied.step, applied.language
        refusals = {
            Outcome.REPEATED: notes.REPEATED,
            Outcome.ALREADY_COMPLETED: notes.ALREADY_COMPLETED,
            Outcome.CLOSED: notes.CLOSED,
            Outcome.NOT_YET: notes.NOT_YET,
            Outcome.INVALID: notes.OUT_OF_RANGE if step.problem == "out_of_range" else notes.INVALID_BUTTON,
        }
        if step.outcome in refusals:
            return Ack(language.say(refusals[step.outcome]))
        note = language.say(notes.CHANGED) if step.outcome is Outcome.CHANGED else None
        return Ack(note, follow_up=lambda: self._show_progress(sender, applied, pressed))

    async def _show_progress(self, sender: Sender, applied: _Applied, pressed: MessageRef | None) -> None:
        """Show the chosen answer and, if one is due, the next question (in the same message
        where the platform can), or the thanks."""
        channel = self._context.channels.get(sender.platform)
        if channel is None:
            return
        step, language, survey, request = applied.step, applied.language, applied.survey, applied.request
        question = survey.question(applied.question_id)
        assert question is not None
        following = step.next_question
        then = None
        if not step.completed and following is not None and following.id != applied.previous_question:
            then = question_prompt(survey, following, token=request.token, language=language)
        target = pressed or MessageRef.parse(sender.platform, request.message_ref)
        try:
            shown = None
            if target is not None:
                shown = await channel.show_choice(target, answered_text(question, applied.value, language), then)
            elif then is not None:
                shown = await channel.ask(sender.chat_id, then)
            if then is not None and shown is not None and shown != target:  # Slack keeps one message
                await remember(self._context, request, following.id, shown)  # type: ignore[union-attr]
            if step.completed:
                await channel.send_text(sender.chat_id, language.say(notes.THANKS))
            if applied.has_alert and self._followup and (sorry := self._followup.tell_customer(language)):
                await channel.send_text(sender.chat_id, sorry)
        except DeliveryFailed as failure:
            # The answer is committed; the person can continue with the next press or message.
            log.warning("reply after an answer failed", extra={"platform": failure.platform, "reason": failure.reason})
        if applied.has_alert and self._followup:  # the survey is over: staff see its alert now
            await self._followup.post_ready()

    async def _command(self, event: CommandReceived) -> Ack:
        sender, command = event.sender, event.command.lower().lstrip("/")
        language = self._context.language_of(None, platform=sender.language_code)
        if command in ("start", "stop", "language", "suggest") and not sender.private:
            return Ack(language.say(notes.PRIVATE_ONLY))
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
        return Ack(help_text(self._context.language_of(respondent, platform=sender.language_code)))

    async def _suggest(self, sender: Sender, text: str, event_id: str | None) -> Ack:
        """No database statement around a suggestion names its author: not even a language lookup
        (a database's statement log would put the two side by side), and no `processed_events`
        row (those carry a time); the box deduplicates on its own."""
        language = self._context.language_of(None, platform=sender.language_code)
        return Ack(await self._suggestions.submit(sender, text, language, event_id))


def _answer_value(question_id: str, value: machine.Value, verdict: TextVerdict | None) -> AnswerValue:
    if isinstance(value, str):
        return AnswerValue(
            question_id,
            value_text=value,
            text_language=verdict.language if verdict else None,
            sentiment=verdict.polarity if verdict else None,
            sentiment_status=str(verdict.status) if verdict else None,
        )
    return AnswerValue(question_id, value_int=value)
