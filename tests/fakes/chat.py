"""A person in a conversation with Sayso: send an event, then assert on the reply."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sqlmodel import select

from bot.wiring import Services
from handlers.core.events import ButtonPressed, CommandReceived, InboundEvent, MessageRef, Sender, TextReceived
from handlers.core.replies import Ack, Prompt
from handlers.survey.trigger import TriggerRequest, TriggerResult
from storage.models import Answer, SurveyRequest
from tests.fakes.recording import RecordingChannel

_ids = itertools.count(1)


@dataclass
class Person:
    services: Services
    channel: RecordingChannel
    user_id: str = "U1"
    language_code: str | None = None
    last_ack: Ack | None = field(default=None, init=False)

    @property
    def sender(self) -> Sender:
        return Sender(self.channel.platform, self.user_id, f"dm-{self.user_id}", self.language_code)

    async def gets_survey(self, survey: str = "csat", *, language: str | None = None, **extra) -> TriggerResult:
        result = await self.services.trigger(
            TriggerRequest(
                interaction_id=f"ix-{next(_ids)}",
                platform=self.channel.platform,
                user_id=self.user_id,
                survey=survey,
                language=language,
                delay_seconds=0,
                **extra,
            )
        )
        await self.services.survey_sender.send_due()
        return result

    @property
    def prompt(self) -> Prompt:
        return self.channel.prompts[-1]

    def message_of(self, prompt: Prompt) -> MessageRef | None:
        return next(s.message for s in self.channel.sent if s.prompt is prompt)

    async def press(self, key: str, *, prompt: Prompt | None = None, event_id: str | None = None) -> Ack:
        prompt = prompt or self.prompt
        option = next(o for o in prompt.options if o.key == key)
        return await self.press_data(option.data, message=self.message_of(prompt), event_id=event_id)

    async def press_data(self, data: str, *, message: MessageRef | None = None, event_id: str | None = None) -> Ack:
        return await self._send(
            ButtonPressed(self.sender, data, message=message, event_id=event_id or f"p-{next(_ids)}")
        )

    async def types(self, text: str, *, event_id: str | None = None) -> Ack:
        return await self._send(TextReceived(self.sender, text, event_id=event_id or f"text-{next(_ids)}"))

    async def command(self, command: str, args: str = "", *, private: bool = True) -> Ack:
        sender = Sender(self.channel.platform, self.user_id, f"dm-{self.user_id}", self.language_code, private)
        return await self._send(CommandReceived(sender, command, args, f"cmd-{next(_ids)}"))

    async def _send(self, event: InboundEvent) -> Ack:
        """ErrorBoundary as an adapter does: the answer first, then its follow-up."""
        self.last_ack = await self.services.boundary(event)
        await self.services.boundary.follow_up(self.last_ack, event)
        return self.last_ack


async def stored_answers(services: Services, request_id: int) -> dict[str, Answer]:
    async with services.context.sessions() as session:
        rows = (await session.execute(select(Answer).where(Answer.request_id == request_id))).scalars()
        return {row.question_id: row for row in rows}


async def request_row(services: Services, request_id: int) -> SurveyRequest:
    async with services.context.sessions() as session:
        return (await session.execute(select(SurveyRequest).where(SurveyRequest.id == request_id))).scalar_one()


async def count(services: Services, model: type) -> int:
    from sqlalchemy import func

    async with services.context.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())
