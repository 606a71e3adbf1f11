"""Storing one survey answer and showing what comes next.

The state machine decides; the answer, and the alert a low score raises, are committed in one
transaction before the platform acknowledges; the next question, the thanks, the customer's note
and the alert to staff go out after the acknowledgement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import event_data, notes
from handlers.core.context import Context
from handlers.core.events import MessageRef, Sender
from handlers.core.meter import Counted
from handlers.core.outbox import EventType
from handlers.core.ports import DeliveryFailed
from handlers.core.replies import Ack, Prompt
from handlers.core.surveys import Survey
from handlers.followup.alerts import FollowUp
from handlers.i18n import Lang
from handlers.survey import machine
from handlers.survey.asking import remember
from handlers.survey.machine import Outcome, Status
from handlers.survey.prompts import answered_text, question_prompt
from handlers.text.sentiment import TextVerdict
from storage.answers import AnswerValue, record_progress, response_of, save_answer, survey_progress
from storage.events import claim_event
from storage.models import ANSWERABLE, RequestState, Respondent, SurveyRequest
from storage.respondents import get_respondent
from storage.rollups import invalidate_rollups, may_touch_rollups

log = logging.getLogger(__name__)
LOST_UPDATE_AFTER = timedelta(seconds=10)


async def reply_once(context: Context, sender: Sender, event_id: str | None, ack: Ack) -> Ack:
    """A reply that stores nothing still goes out once per delivery: its delivery id is recorded,
    so a redelivered message (Slack's retries, a replayed Telegram update) is not answered again."""
    if event_id:
        async with context.sessions() as session, session.begin():
            if not await claim_event(session, platform=sender.platform, event_id=event_id):
                return Ack()
    return ack


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


class Answers:
    """Applies answers, whether pressed or typed."""

    def __init__(self, context: Context, followup: FollowUp | None) -> None:
        self._context = context
        self._followup = followup

    async def apply(
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
            found = await survey_progress(session, token=token)
            if found is None or not _sent_to(found.respondent, sender):
                return Ack(await self._invalid(session, sender))
            request, respondent = found.request, found.respondent
            language = context.language_of(respondent, requested=request.language, platform=sender.language_code)
            survey = context.surveys.get(request.survey)
            if survey is None or question_index >= len(survey.questions):
                return Ack(language.say(notes.INVALID_BUTTON))
            if respondent.opted_out:
                return Ack(language.say(notes.OPTED_OUT_PRESS))
            question = survey.questions[question_index]
            state_read = request.state
            step = machine.answer(survey, self._status(request, now), found.answers, question.id, value)
            previous = request.current_question
            if step.store:
                await save_answer(session, request_id=request.id, answer=_answer_value(question.id, value, verdict))
                if may_touch_rollups(request.sent_at, now):  # a late answer: the figures' rollups must see it
                    await invalidate_rollups(session, sent_at=request.sent_at)
                if self._followup is not None and value is not None:  # same transaction: a low score has its alert
                    await self._followup.note_answer(session, request, question.id, value, verdict)
                request.current_question = step.next_question.id if step.next_question else None
                if step.completed:
                    request.state, request.completed_at = RequestState.COMPLETED, now
                request.updated_at = now
            if step.store or request.state != state_read:  # stored, or found expired
                await record_progress(session, request)
            if step.completed and context.outbox.enabled:  # same transaction: a crash loses no event
                response = await response_of(session, request_id=request.id)
                data = event_data.survey_completed(response)
                await context.outbox.emit(session, EventType.SURVEY_COMPLETED, data, now=now)
            has_alert = bool(step.completed and self._followup and await self._followup.has_alert(session, request.id))
        if step.store:
            meter = context.meter
            meter.count(Counted.ANSWERS_STORED, survey=survey.key)
            if not found.answers:
                meter.count(Counted.SURVEYS_ANSWERED, survey=survey.key)
            if step.completed:
                meter.count(Counted.SURVEYS_COMPLETED, survey=survey.key)
        applied = _Applied(step, survey, request, language, question.id, value, previous, has_alert)
        return self._reply(sender, applied, pressed)

    async def _invalid(self, session: AsyncSession, sender: Sender) -> str:
        """A button that is not this person's (or no longer exists), said in their language."""
        respondent = await get_respondent(session, platform=sender.platform, user_id=sender.user_id)
        return self._context.language_of(respondent, platform=sender.language_code).say(notes.INVALID_BUTTON)

    def _status(self, request: SurveyRequest, now: datetime) -> Status:
        if request.state == RequestState.COMPLETED:
            return Status.COMPLETED
        if request.state == RequestState.ACTIVE and request.expires_at and request.expires_at <= now:
            request.state, request.updated_at = RequestState.EXPIRED, now
        return Status.OPEN if request.state in ANSWERABLE else Status.CLOSED

    def _pressed_current_message(self, sender: Sender, applied: _Applied, pressed: MessageRef | None) -> bool:
        """A repeated press of a stored answer on the message the survey is in: a double click, or
        the update after the first press was lost (a crash, a platform error) and the message still
        shows the answered question. Either way the message is made to show where the survey is."""
        return (
            applied.step.outcome is Outcome.REPEATED
            and pressed is not None
            and pressed == MessageRef.parse(sender.platform, applied.request.message_ref)
        )

    def _reply(self, sender: Sender, applied: _Applied, pressed: MessageRef | None) -> Ack:
        step, language = applied.step, applied.language
        refusals = {
            Outcome.REPEATED: notes.REPEATED,
            Outcome.ALREADY_COMPLETED: notes.ALREADY_COMPLETED,
            Outcome.CLOSED: notes.CLOSED,
            Outcome.NOT_YET: notes.NOT_YET,
            Outcome.INVALID: notes.OUT_OF_RANGE if step.problem == "out_of_range" else notes.INVALID_BUTTON,
        }
        if pressed is not None and self._pressed_current_message(sender, applied, pressed):
            # Within seconds it is a double click: say the answer counted. Later, the re-shown
            # question says enough.
            recent = self._context.clock() - applied.request.updated_at <= LOST_UPDATE_AFTER
            note = language.say(notes.REPEATED) if recent else None
            return Ack(note, follow_up=lambda: self._show_current(sender, applied, pressed))
        if step.outcome in refusals:
            return Ack(language.say(refusals[step.outcome]))
        note = language.say(notes.CHANGED) if step.outcome is Outcome.CHANGED else None
        return Ack(note, follow_up=lambda: self._show_progress(sender, applied, pressed))

    async def _show_current(self, sender: Sender, applied: _Applied, pressed: MessageRef) -> None:
        """Edit the pressed message to show the survey's current question (or, once it is over,
        the answer): the same edit however often it is made, so repeated presses post nothing."""
        channel = self._context.channels.get(sender.replies_on)
        if channel is None:
            return
        survey, request, language = applied.survey, applied.request, applied.language
        current = applied.step.next_question
        if current is not None and request.state in ANSWERABLE:
            prompt = question_prompt(survey, current, token=request.token, language=language)
        else:
            question = survey.question(applied.question_id)
            assert question is not None
            prompt = Prompt(answered_text(question, applied.value, language), rtl=language.rtl)
        try:
            await channel.replace(pressed, prompt)
        except DeliveryFailed as failure:
            log.warning("re-showing a survey failed", extra={"platform": failure.platform, "reason": failure.reason})

    async def _show_progress(self, sender: Sender, applied: _Applied, pressed: MessageRef | None) -> None:
        """Show the chosen answer and, if one is due, the next question (in the same message
        where the platform can), or the thanks."""
        channel = self._context.channels.get(sender.replies_on)
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


def _sent_to(respondent: Respondent, sender: Sender) -> bool:
    return respondent.platform == sender.platform and respondent.platform_user_id == sender.user_id


def _answer_value(question_id: str, value: machine.Value, verdict: TextVerdict | None) -> AnswerValue:
    if isinstance(value, str):
        return AnswerValue(
            question_id,
            value_text=value,
            text_language=verdict.language if verdict else None,
            sentiment=verdict.polarity if verdict else None,
            sentiment_status=str(verdict.status) if verdict else None,
            sentiment_method=verdict.method if verdict else None,
        )
    return AnswerValue(question_id, value_int=value)
