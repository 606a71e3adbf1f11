"""Answers: storing them, reading a survey's progress in one statement, and the comments to (re)score."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Answer, Interaction, Respondent, SurveyRequest
from storage.types import utcnow
from storage.upsert import upsert


async def answers_of(session: AsyncSession, *, request_id: int) -> dict[str, Answer]:
    result = await session.execute(select(Answer).where(Answer.request_id == request_id))
    return {answer.question_id: answer for answer in result.scalars()}


@dataclass(frozen=True, slots=True)
class AnswerValue:
    question_id: str
    value_int: int | None = None
    value_text: str | None = None
    text_language: str | None = None
    sentiment: float | None = None
    sentiment_status: str | None = None
    sentiment_method: str | None = None


async def save_answer(session: AsyncSession, *, request_id: int, answer: AnswerValue) -> None:
    """Store an answer; a second answer to the same question replaces the first (one row)."""
    values = {
        "request_id": request_id,
        "question_id": answer.question_id,
        "value_int": answer.value_int,
        "value_text": answer.value_text,
        "text_language": answer.text_language,
        "sentiment": answer.sentiment,
        "sentiment_status": answer.sentiment_status,
        "sentiment_method": answer.sentiment_method,
        "answered_at": utcnow(),
    }
    await upsert(
        session,
        Answer,
        values,
        conflict=("request_id", "question_id"),
        update=[name for name in values if name not in ("request_id", "question_id")],
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """A request (detached from the session, so a change to it is written only by an explicit
    UPDATE such as `record_progress`), the person it was sent to and the answers stored so far."""

    request: SurveyRequest
    respondent: Respondent
    answers: dict[str, int | str | None]


async def survey_progress(
    session: AsyncSession, *, token: str | None = None, request_id: int | None = None, lock: bool = True
) -> Progress | None:
    """Read in one statement, and lock on PostgreSQL, the request whose buttons carry `token` (or
    with this id): what answering a question, or sending one, needs."""
    by_token = token is not None
    params = {"token": token} if by_token else {"request_id": request_id}
    rows = (await session.execute(_progress_statement(by_token, lock), params)).all()
    if not rows:
        return None
    request, respondent = rows[0][0], rows[0][1]
    session.expunge(request)
    session.expunge(respondent)
    answers = {qid: number if number is not None else text for _, _, qid, number, text in rows if qid is not None}
    return Progress(request, respondent, answers)


@lru_cache(maxsize=4)
def _progress_statement(by_token: bool, lock: bool) -> Any:
    """Built once per shape (button presses and sends run it all day), so SQLAlchemy's compiled
    cache finds it without building and hashing the statement again."""
    stmt = (
        select(SurveyRequest, Respondent)
        .add_columns(col(Answer.question_id), col(Answer.value_int), col(Answer.value_text))
        .join(Respondent, col(Respondent.id) == col(SurveyRequest.respondent_id))
        .outerjoin(Answer, col(Answer.request_id) == col(SurveyRequest.id))
        .where(
            col(SurveyRequest.token) == bindparam("token")
            if by_token
            else col(SurveyRequest.id) == bindparam("request_id")
        )
    )
    return stmt.with_for_update(of=SurveyRequest.__table__) if lock else stmt  # type: ignore[attr-defined]


async def record_progress(session: AsyncSession, request: SurveyRequest) -> None:
    """Write what answering changed on a request read by `survey_progress` (one UPDATE, no flush)."""
    await session.execute(
        _PROGRESS_UPDATE,
        {
            "request_id": request.id,
            "state": request.state,
            "current_question": request.current_question,
            "completed_at": request.completed_at,
            "updated_at": request.updated_at,
        },
    )


# A Core UPDATE on the table: no ORM bulk-update machinery matching it against loaded objects.
_REQUESTS = SurveyRequest.__table__  # type: ignore[attr-defined]
_PROGRESS_UPDATE = (
    update(_REQUESTS)
    .where(_REQUESTS.c.id == bindparam("request_id"))
    .values(
        state=bindparam("state"),
        current_question=bindparam("current_question"),
        completed_at=bindparam("completed_at"),
        updated_at=bindparam("updated_at"),
    )
)


async def answer_values(session: AsyncSession, *, request_id: int) -> dict[str, int | str | None]:
    """Stored answers by question id: the number, the text, or None for a skipped question."""
    answers = await answers_of(session, request_id=request_id)
    return {qid: a.value_int if a.value_int is not None else a.value_text for qid, a in answers.items()}


@dataclass(frozen=True, slots=True)
class Response:
    """One survey response as the team's own tools receive it (no person's identity)."""

    interaction_id: str
    survey: str
    language: str
    platform: str
    touchpoint: str | None
    agent: str | None
    completed_at: datetime | None
    answers: list[Answer]


async def response_of(session: AsyncSession, *, request_id: int) -> Response:
    stmt = (
        select(SurveyRequest, Interaction, col(Respondent.platform))
        .join(Interaction, col(Interaction.id) == col(SurveyRequest.interaction_id))
        .join(Respondent, col(Respondent.id) == col(SurveyRequest.respondent_id))
        .where(col(SurveyRequest.id) == request_id)
    )
    request, interaction, platform = (await session.execute(stmt)).one()
    answers = list((await answers_of(session, request_id=request_id)).values())
    return Response(
        interaction.external_id,
        request.survey,
        request.language,
        platform,
        interaction.touchpoint,
        interaction.agent,
        request.completed_at,
        answers,
    )


@dataclass(frozen=True, slots=True)
class Comment:
    answer_id: int
    text: str
    survey_language: str


async def comments_after(session: AsyncSession, *, after_id: int, since: datetime | None, limit: int) -> list[Comment]:
    """Free-text answers in id order, a page at a time (a rescore streams through millions)."""
    stmt = (
        select(col(Answer.id), col(Answer.value_text), col(SurveyRequest.language))
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(col(Answer.id) > after_id, col(Answer.value_text).is_not(None))
        .order_by(col(Answer.id))
        .limit(limit)
    )
    if since is not None:
        stmt = stmt.where(col(Answer.answered_at) >= since)
    return [
        Comment(answer_id, text or "", language) for answer_id, text, language in (await session.execute(stmt)).all()
    ]


async def count_comments(session: AsyncSession, *, since: datetime | None) -> int:
    stmt = select(func.count()).select_from(Answer).where(col(Answer.value_text).is_not(None))
    if since is not None:
        stmt = stmt.where(col(Answer.answered_at) >= since)
    return int((await session.execute(stmt)).scalar_one())


async def set_sentiments(session: AsyncSession, scores: Sequence[tuple[int, AnswerValue]]) -> None:
    """Store new language and sentiment fields of answers (a rescore), in one statement."""
    if scores:
        table = Answer.__table__  # type: ignore[attr-defined]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("answer_id"))
            .values(
                text_language=bindparam("language"),
                sentiment=bindparam("polarity"),
                sentiment_status=bindparam("status"),
                sentiment_method=bindparam("method"),
            )
        )
        rows = [
            {
                "answer_id": answer_id,
                "language": v.text_language,
                "polarity": v.sentiment,
                "status": v.sentiment_status,
                "method": v.sentiment_method,
            }
            for answer_id, v in scores
        ]
        await session.execute(stmt, rows)
