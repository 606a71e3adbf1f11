"""Survey figures as SQL aggregates: counts, sums and sums of squares and products, never rows.

Every function takes a period [start, end) on the time the survey was sent, so a week's figures
describe the surveys of that week, however late people answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, String, and_, case, cast, func, literal, text, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlmodel import col, select

from storage.models import Answer, Interaction, RequestState, Respondent, SurveyRequest
from storage.rollups import Counts

# What a breakdown can group by.
DIMENSIONS: dict[str, Any] = {
    "touchpoint": col(Interaction.touchpoint),
    "agent": col(Interaction.agent),
    "platform": col(Respondent.platform),
    "language": col(SurveyRequest.language),
}


@dataclass(frozen=True, slots=True)
class Moments:
    """Enough to compute a mean, a variance and shares of a numeric answer in one group."""

    group: Any  # the dimension's value, or None for all
    n: int
    total: float
    total_sq: float
    top: int  # answers >= top_min
    bottom: int  # answers <= bottom_max

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        if self.n < 2:
            return None
        return max(0.0, (self.total_sq - self.total * self.total / self.n) / (self.n - 1))


@dataclass(frozen=True, slots=True)
class Funnel:
    """Surveys sent in a period and how far people got."""

    sent: int
    answered: int
    completed: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


def _sent_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    """The surveys a figure counts: sent in the period, and not a terminal try-out."""
    return and_(
        col(SurveyRequest.sent_at) >= start, col(SurveyRequest.sent_at) < end, col(SurveyRequest.demo).is_(False)
    )


async def tune_for_aggregates(session: AsyncSession) -> None:
    """Session settings for one transaction of large aggregates on PostgreSQL (no-op elsewhere).

    Why each: JIT compilation costs more than it saves on these few-group queries; a sort that
    spills to disk with the default work_mem is slower than one in memory; the default
    random_page_cost (made for spinning disks) makes the planner scan every week's answers to read
    one week's; and a digest reads one week's slice, which index lookups from the week's requests
    reach faster than a hash of the whole answers table. `bench/digest_scale.py` shows the effect."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_AGGREGATE_SETTINGS)


# set_config(..., is_local => true) is SET LOCAL; one statement sets all four in one round trip.
_AGGREGATE_SETTINGS = text(
    "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true),"
    " set_config('random_page_cost', '1.1', true), set_config('enable_hashjoin', 'off', true)"
)


@dataclass(frozen=True, slots=True)
class Measure:
    """A numeric question and what counts as its top and bottom answers (e.g. CSAT 4–5 and 1–2)."""

    survey: str
    question: str
    top_min: int
    bottom_max: int

    def moments(self, counts: Counts) -> Moments | None:
        """This question's moments from a period's value counts; None when nobody answered it."""
        mine = [
            (value, n)
            for (survey, question, value), n in counts.items()
            if survey == self.survey and question == self.question
        ]
        n = sum(count for _, count in mine)
        if not n:
            return None
        return Moments(
            None,
            n,
            float(sum(value * count for value, count in mine)),
            float(sum(value * value * count for value, count in mine)),
            sum(count for value, count in mine if value >= self.top_min),
            sum(count for value, count in mine if value <= self.bottom_max),
        )


async def breakdowns(
    session: AsyncSession, *, start: datetime, end: datetime, measure: Measure, by: Sequence[str]
) -> dict[str, list[Moments]]:
    """`measure`'s moments per value of each dimension in `by`, in one statement: GROUPING SETS on
    PostgreSQL, the same groups as UNION ALL on SQLite (which has no grouping sets). Groups whose
    value is unknown (no touchpoint given, say) are left out."""
    value = cast(col(Answer.value_int), Float)
    raw = col(Answer.value_int)
    numbers = [
        func.count(raw),
        func.coalesce(func.sum(value), 0.0),
        func.coalesce(func.sum(value * value), 0.0),
        func.coalesce(func.sum(case((raw >= measure.top_min, 1), else_=0)), 0),
        func.coalesce(func.sum(case((raw <= measure.bottom_max, 1), else_=0)), 0),
    ]

    def base(*columns: Any) -> Any:
        return (
            select(*columns)
            .select_from(Answer)
            .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
            .join(Interaction, col(Interaction.id) == col(SurveyRequest.interaction_id))
            .join(Respondent, col(Respondent.id) == col(SurveyRequest.respondent_id))
            .where(
                _sent_between(start, end),
                col(SurveyRequest.survey) == measure.survey,
                col(Answer.question_id) == measure.question,
                raw.is_not(None),
            )
        )

    keys = [DIMENSIONS[name] for name in by]
    if session.get_bind().dialect.name == "postgresql":
        which = case(*[(func.grouping(key) == 0, name) for name, key in zip(by, keys, strict=True)])
        one_key = func.coalesce(*[cast(key, String) for key in keys])  # the others are NULL in its set
        stmt = base(which, one_key, *numbers).group_by(func.grouping_sets(*[tuple_(key) for key in keys]))
    else:
        stmt = union_all(
            *[
                base(literal(name), cast(key, String), *numbers).group_by(key)
                for name, key in zip(by, keys, strict=True)
            ]
        )
    found: dict[str, list[Moments]] = {name: [] for name in by}
    for name, key, n, total, total_sq, top, bottom in (await session.execute(stmt)).all():
        if key is not None:
            found[name].append(Moments(key, int(n), float(total), float(total_sq), int(top), int(bottom)))
    for groups in found.values():
        groups.sort(key=lambda m: str(m.group))
    return found


@dataclass(frozen=True, slots=True)
class CrossProducts:
    """Sums over the responses that answered all `questions`: enough for correlations and regression."""

    questions: tuple[str, ...]
    n: int
    sums: tuple[float, ...]
    products: tuple[tuple[float, ...], ...]  # products[i][j] = sum(x_i * x_j)


@dataclass(frozen=True, slots=True)
class TextTone:
    comments: int
    scored: int
    positive: int
    negative: int


@dataclass(frozen=True, slots=True)
class Responses:
    """What one pass over a period's surveys, a row per survey, gives: the funnel, the tone of
    the comments and the sums of products of one survey's numeric answers."""

    funnel: Funnel
    tone: TextTone
    sums: CrossProducts


async def responses(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    survey: str,
    questions: Sequence[str],
    threshold: float = 0.1,
) -> Responses:
    """One statement: each survey sent in the period with its answers pivoted into one row (in
    SQL), aggregated again in SQL. The funnel counts every survey; the tone, every free-text
    answer (unscored ones, in a language without a sentiment model, count only as comments);
    the cross products, the `survey` responses that answered all `questions`. A digest used to
    read the period three times for these."""
    value = cast(col(Answer.value_int), Float)
    text = col(Answer.value_text).is_not(None)
    sentiment = col(Answer.sentiment)

    def tally(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    survey_row: list[Any] = [
        col(SurveyRequest.state).label("state"),
        (col(SurveyRequest.survey) == survey).label("measured"),
        func.count(col(Answer.request_id)).label("answers"),
        tally(text).label("comments"),
        tally(and_(text, sentiment.is_not(None))).label("scored"),
        tally(and_(text, sentiment > threshold)).label("positive"),
        tally(and_(text, sentiment < -threshold)).label("negative"),
        *[func.max(case((col(Answer.question_id) == q, value))).label(f"q{i}") for i, q in enumerate(questions)],
    ]
    per_survey = (
        select(*survey_row)
        .select_from(SurveyRequest)
        .outerjoin(Answer, col(Answer.request_id) == col(SurveyRequest.id))
        .where(_sent_between(start, end))
        .group_by(col(SurveyRequest.id))
        .subquery()
    )
    row_of = per_survey.c
    xs = [row_of[f"q{i}"] for i in range(len(questions))]
    complete = and_(row_of.measured, *[x.is_not(None) for x in xs])
    pairs = [(i, j) for i in range(len(xs)) for j in range(i, len(xs))]
    totals: list[Any] = [
        func.count(),
        tally(row_of.answers > 0),
        tally(row_of.state == RequestState.COMPLETED),
        *[func.coalesce(func.sum(row_of[name]), 0) for name in ("comments", "scored", "positive", "negative")],
        tally(complete),
        *[func.coalesce(func.sum(case((complete, x))), 0.0) for x in xs],
        *[func.coalesce(func.sum(case((complete, xs[i] * xs[j]))), 0.0) for i, j in pairs],
    ]
    row = (await session.execute(select(*totals))).one()
    sent, answered, completed, comments, scored, positive, negative, n = (int(v) for v in row[:8])
    sums, flat = tuple(float(v) for v in row[8 : 8 + len(xs)]), row[8 + len(xs) :]
    products = [[0.0] * len(xs) for _ in xs]
    for (i, j), total in zip(pairs, flat, strict=True):
        products[i][j] = products[j][i] = float(total)
    return Responses(
        Funnel(sent, answered, completed),
        TextTone(comments, scored, positive, negative),
        CrossProducts(tuple(questions), n, sums, tuple(tuple(r) for r in products)),
    )


async def recent_comments(session: AsyncSession, *, start: datetime, end: datetime, limit: int = 3) -> list[str]:
    stmt = (
        select(col(Answer.value_text))
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(_sent_between(start, end), col(Answer.value_text).is_not(None))
        .order_by(col(Answer.answered_at).desc())
        .limit(limit)
    )
    return [text for (text,) in (await session.execute(stmt)).all() if text is not None]
