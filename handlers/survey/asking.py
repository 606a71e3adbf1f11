"""Asking a survey question and keeping where it is shown."""

from __future__ import annotations

from handlers.core.context import Context
from handlers.core.events import MessageRef
from handlers.core.ports import Outbound
from handlers.core.surveys import Survey
from handlers.i18n import Lang
from handlers.survey.prompts import question_prompt
from storage.models import SurveyRequest
from storage.survey_requests import request_by_id


async def ask_question(
    context: Context,
    channel: Outbound,
    chat_id: str,
    survey: Survey,
    request: SurveyRequest,
    question_id: str,
    language: Lang,
) -> None:
    question = survey.question(question_id)
    assert question is not None
    message = await channel.ask(chat_id, question_prompt(survey, question, token=request.token, language=language))
    await remember(context, request, question_id, message)


async def remember(context: Context, request: SurveyRequest, question_id: str, message: MessageRef) -> None:
    """Keep where the open question is shown, so a typed answer can update that message."""
    async with context.sessions() as session, session.begin():
        fresh = await request_by_id(session, request_id=request.id, for_update=True)
        if fresh is not None and fresh.current_question == question_id:
            fresh.message_ref = message.stored
