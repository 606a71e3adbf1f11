"""Every survey response, filtered: a page of them by keyset, one in full, their answers as export
rows, and the per-week group counts the console's figures and privacy rules are computed from.

A response is a survey sent (a `SurveyRequest` with `sent_at`), with its interaction (touchpoint,
agent), its respondent's platform and its answers. Filters on who and when (`weeks`, survey,
agent, touchpoint, platform, language) select requests; filters on what was said (the headline
score, the comments' sentiment, whether there is a comment) are `EXISTS` over its answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, and_, case, cast, exists, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import col, select

from storage.exports import ANSWER_COLUMNS, CHUNK
from storage.models import Alert, AlertState, Answer, Interaction, Respondent, SentimentStatus, SurveyRequest

# The question a survey's score filter and figures read.
HEADLINE = {"csat": "overall", "nps": "recommend", "ces": "effort"}
TONE = 0.1  # |polarity| beyond this is positive or negative, as in the digest's comment counts
GROUPS = ("agent", "touchpoint", "platform", "language")  # what figures break down by
_GROUP_COLUMNS: dict[str, Any] = {
    "agent": col(Interaction.agent),
    "touchpoint": col(Interaction.touchpoint),
    "platform": col(Respondent.platform),
    "language": col(SurveyRequest.language),
}


class Tone(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_SCORED = "not_scored"


@dataclass(frozen=True, slots=True)
class ResponseFilter:
    """What the Responses page, its figures and its CSV select. `weeks` are consecutive, with their
    [start, end) bounds in the operator's time zone."""

    weeks: tuple[tuple[datetime, datetime], ...]
    survey: str | None = None
    agent: str | None = None
    touchpoint: str | None = None
    platform: str | None = None
    language: str | None = None
    score_at_least: int | None = None
    score_at_most: int | None = None
    tone: Tone | None = None
    has_comment: bool | None = None

    @property
    def start(self) -> datetime:
        return self.weeks[0][0]

    @property
    def end(self) -> datetime:
        return self.weeks[-1][1]

    def groups(self) -> dict[str, str]:
        """The active who-filters: {"agent": "Ana", ...}."""
        return {name: value for name in GROUPS if (value := getattr(self, name)) is not None}


def _request_conditions(chosen: ResponseFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        col(SurveyRequest.sent_at) >= chosen.start,
        col(SurveyRequest.sent_at) < chosen.end,
        col(SurveyRequest.demo).is_(False),
    ]
    if chosen.survey is not None:
        conditions.append(col(SurveyRequest.survey) == chosen.survey)
    for name, value in chosen.groups().items():
        conditions.append(_GROUP_COLUMNS[name] == value)
    return conditions


def _answer_conditions(chosen: ResponseFilter) -> list[ColumnElement[bool]]:
    """`EXISTS` conditions on the request's answers for the what-was-said filters (on their own
    alias of the answers table, so a query that reads answers itself, the CSV's, keeps its own)."""
    answer = aliased(Answer)

    def answered(*where: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(col(answer.request_id) == col(SurveyRequest.id), *where)

    conditions: list[ColumnElement[bool]] = []
    if chosen.score_at_least is not None or chosen.score_at_most is not None:
        headline = or_(
            *[
                and_(col(SurveyRequest.survey) == survey, col(answer.question_id) == question)
                for survey, question in HEADLINE.items()
            ]
        )
        bounds = []
        if chosen.score_at_least is not None:
            bounds.append(col(answer.value_int) >= chosen.score_at_least)
        if chosen.score_at_most is not None:
            bounds.append(col(answer.value_int) <= chosen.score_at_most)
        conditions.append(answered(headline, *bounds))
    text = col(answer.value_text).is_not(None)
    if chosen.tone is Tone.NEGATIVE:
        conditions.append(answered(text, col(answer.sentiment) < -TONE))
    elif chosen.tone is Tone.POSITIVE:
        conditions.append(answered(text, col(answer.sentiment) > TONE))
    elif chosen.tone is Tone.NOT_SCORED:
        conditions.append(answered(text, col(answer.sentiment_status) == SentimentStatus.NOT_SCORED))
    if chosen.has_comment is True:
        conditions.append(answered(text))
    elif chosen.has_comment is False:
        conditions.append(~answered(text))
    return conditions


def _requests(*columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(SurveyRequest)
        .join(Interaction, col(Interaction.id) == col(SurveyRequest.interaction_id))
        .join(Respondent, col(Respondent.id) == col(SurveyRequest.respondent_id))
    )


@dataclass(frozen=True, slots=True)
class AnswerRow:
    question: str
    value: int | None
    text: str | None
    language: str | None
    sentiment: float | None
    status: str | None
    method: str | None


@dataclass(frozen=True, slots=True)
class ResponseRow:
    id: int
    survey: str
    sent_at: datetime
    language: str
    platform: str
    touchpoint: str | None
    agent: str | None
    state: str
    alert_id: int | None
    alert_state: AlertState | None
    answers: list[AnswerRow] = field(default_factory=list)

    @property
    def score(self) -> int | None:
        question = HEADLINE.get(self.survey)
        return next((a.value for a in self.answers if a.question == question), None)

    @property
    def comments(self) -> list[AnswerRow]:
        return [a for a in self.answers if a.text is not None]


@dataclass(frozen=True, slots=True)
class ResponsePage:
    rows: list[ResponseRow]
    older: int | None  # the keyset for the next (older) page, if there is one
    newer: int | None  # the keyset for the previous (newer) page, if there is one


_ROW_COLUMNS = (
    col(SurveyRequest.id),
    col(SurveyRequest.survey),
    col(SurveyRequest.sent_at),
    col(SurveyRequest.language),
    col(Respondent.platform),
    col(Interaction.touchpoint),
    col(Interaction.agent),
    col(SurveyRequest.state),
    col(Alert.id),
    col(Alert.state),
)


async def response_page(
    session: AsyncSession, chosen: ResponseFilter, *, size: int, older_than: int | None, newer_than: int | None
) -> ResponsePage:
    """Newest first, `size` at a time, by keyset on the request id (never OFFSET): `older_than`
    pages forward, `newer_than` back."""
    stmt = _requests(*_ROW_COLUMNS).outerjoin(Alert, col(Alert.request_id) == col(SurveyRequest.id))
    stmt = stmt.where(*_request_conditions(chosen), *_answer_conditions(chosen))
    backwards = newer_than is not None
    if older_than is not None:
        stmt = stmt.where(col(SurveyRequest.id) < older_than)
    if newer_than is not None:
        stmt = stmt.where(col(SurveyRequest.id) > newer_than)
    order = col(SurveyRequest.id).asc() if backwards else col(SurveyRequest.id).desc()
    found = list((await session.execute(stmt.order_by(order).limit(size + 1))).all())
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    rows = [ResponseRow(*row) for row in found]
    await _attach_answers(session, rows)
    if not rows:
        return ResponsePage([], None, None)
    has_older = more if not backwards else True
    has_newer = more if backwards else older_than is not None
    return ResponsePage(rows, rows[-1].id if has_older else None, rows[0].id if has_newer else None)


async def response_detail(session: AsyncSession, request_id: int) -> ResponseRow | None:
    stmt = (
        _requests(*_ROW_COLUMNS)
        .outerjoin(Alert, col(Alert.request_id) == col(SurveyRequest.id))
        .where(col(SurveyRequest.id) == request_id, col(SurveyRequest.sent_at).is_not(None))
    )
    found = (await session.execute(stmt)).first()
    if found is None:
        return None
    row = ResponseRow(*found)
    await _attach_answers(session, [row])
    return row


async def _attach_answers(session: AsyncSession, rows: Sequence[ResponseRow]) -> None:
    if not rows:
        return
    by_id = {row.id: row for row in rows}
    columns = [
        col(Answer.request_id),
        col(Answer.question_id),
        col(Answer.value_int),
        col(Answer.value_text),
        col(Answer.text_language),
        col(Answer.sentiment),
        col(Answer.sentiment_status),
        col(Answer.sentiment_method),
    ]
    stmt = select(*columns).where(col(Answer.request_id).in_(list(by_id))).order_by(col(Answer.id))
    found: list[Any] = list((await session.execute(stmt)).all())
    for request_id, question, value, text, language, sentiment, status, method in found:
        by_id[request_id].answers.append(AnswerRow(question, value, text, language, sentiment, status, method))


async def stream_filtered_answers(
    session: AsyncSession, chosen: ResponseFilter
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """The answers of exactly the filtered responses, with `sayso export`'s columns (`ANSWER_FIELDS`,
    in that order) and order, in batches of `CHUNK` rows from a server-side cursor: a million rows
    in little memory, and one await per batch rather than per row."""
    stmt = (
        select(*ANSWER_COLUMNS.values())
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .join(Interaction, col(Interaction.id) == col(SurveyRequest.interaction_id))
        .join(Respondent, col(Respondent.id) == col(SurveyRequest.respondent_id))
        .where(*_request_conditions(chosen), *_answer_conditions(chosen))
        .order_by(col(Answer.id))
    )
    result = await session.stream(stmt.execution_options(yield_per=CHUNK))
    async for batch in result.partitions():
        yield batch


@dataclass(frozen=True, slots=True)
class Cell:
    """The headline answers of one week and one combination of agent, touchpoint, platform and
    language: enough for a share, a net score or a mean, and to add cells up."""

    week: int  # index into the filter's weeks
    agent: str | None
    touchpoint: str | None
    platform: str | None
    language: str | None
    n: int
    total: float
    total_sq: float
    top: int
    bottom: int

    def group(self, name: str) -> str | None:
        value: str | None = getattr(self, name)
        return value


async def headline_cells(
    session: AsyncSession, chosen: ResponseFilter, *, survey: str, top_min: int, bottom_max: int
) -> list[Cell]:
    """`survey`'s headline answers in the filter's weeks, counted per week and per combination of
    the four groups, whatever the who-filters say: the figures and their privacy rules need the
    neighbours of the chosen group too (what a filter leaves out is what a difference reveals)."""
    wide = ResponseFilter(chosen.weeks, survey=survey)
    value, raw = cast(col(Answer.value_int), Float), col(Answer.value_int)
    week = case(*[(col(SurveyRequest.sent_at) < end, i) for i, (_, end) in enumerate(chosen.weeks)])
    keys = [week, *(_GROUP_COLUMNS[name] for name in GROUPS)]
    stmt = (
        _requests(
            *keys,
            func.count(raw),
            func.coalesce(func.sum(value), 0.0),
            func.coalesce(func.sum(value * value), 0.0),
            func.coalesce(func.sum(case((raw >= top_min, 1), else_=0)), 0),
            func.coalesce(func.sum(case((raw <= bottom_max, 1), else_=0)), 0),
        )
        .join(Answer, col(Answer.request_id) == col(SurveyRequest.id))
        .where(*_request_conditions(wide), col(Answer.question_id) == HEADLINE[survey], raw.is_not(None))
        .group_by(*keys)
    )
    return [
        Cell(int(w), agent, touchpoint, platform, language, int(n), float(t), float(sq), int(top), int(bottom))
        for w, agent, touchpoint, platform, language, n, t, sq, top, bottom in (await session.execute(stmt)).all()
    ]


async def filter_choices(session: AsyncSession, *, start: datetime, end: datetime) -> dict[str, list[str]]:
    """The values each who-filter can take in the period, for the page's drop-downs."""
    choices: dict[str, list[str]] = {}
    for name in ("survey", *GROUPS):
        column = col(SurveyRequest.survey) if name == "survey" else _GROUP_COLUMNS[name]
        stmt = (
            _requests(column)
            .where(col(SurveyRequest.sent_at) >= start, col(SurveyRequest.sent_at) < end, column.is_not(None))
            .group_by(column)
            .order_by(column)
        )
        choices[name] = [str(value) for value in (await session.execute(stmt)).scalars()]
    return choices
