"""Survey definitions: the built-in CSAT, NPS and CES surveys and the schema for custom ones."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from handlers.i18n import N_

# A catalog message id (translated when shown) or a per-language text from config.
LocalText = str | dict[str, str]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
TEXT_MAX_CHARS = 2000


class Kind(StrEnum):
    RATING = "rating"
    NPS = "nps"
    CHOICE = "choice"
    TEXT = "text"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(_Frozen):
    """Ask a question only when an earlier numeric answer is within bounds."""

    question: QuestionId
    at_least: int | None = None
    at_most: int | None = None

    def holds(self, answers: Mapping[str, int | str | None]) -> bool:
        value = answers.get(self.question)
        if not isinstance(value, int):
            return False
        return (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most)


class Question(_Frozen):
    id: QuestionId
    kind: Kind
    text: LocalText
    scale: tuple[int, int] | None = None
    labels: dict[int, LocalText] = Field(default_factory=dict)
    options: tuple[LocalText, ...] = ()
    when: Condition | None = None
    attribute: str | None = Field(default=None, description="what a rating measures, for driver analysis")

    @model_validator(mode="after")
    def _check_kind(self) -> Self:
        if self.kind is Kind.NPS and self.scale not in (None, (0, 10)):
            raise ValueError("an nps question always has the scale 0–10")
        if self.kind is Kind.RATING:
            if self.scale is None:
                raise ValueError("a rating question needs a scale such as [1, 5]")
            low, high = self.scale
            if not 0 <= low < high <= 10:
                raise ValueError("a rating scale must lie within 0–10 with low < high")
            if any(not low <= value <= high for value in self.labels):
                raise ValueError("a label is given for a value outside the scale")
        if self.kind is Kind.CHOICE and not 2 <= len(self.options) <= 10:
            raise ValueError("a choice question needs 2 to 10 options")
        return self

    @property
    def bounds(self) -> tuple[int, int] | None:
        """The accepted numeric values, or None for a text question."""
        if self.kind is Kind.NPS:
            return (0, 10)
        if self.kind is Kind.RATING:
            return self.scale
        if self.kind is Kind.CHOICE:
            return (1, len(self.options))
        return None

    @property
    def values(self) -> range:
        low, high = self.bounds or (0, -1)
        return range(low, high + 1)


class Survey(_Frozen):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    title: LocalText
    questions: tuple[Question, ...]

    @model_validator(mode="after")
    def _check_questions(self) -> Self:
        if not self.questions:
            raise ValueError("a survey needs at least one question")
        seen: dict[str, Question] = {}
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} is used twice")
            if question.when is not None:
                earlier = seen.get(question.when.question)
                if earlier is None:
                    raise ValueError(
                        f"{question.id!r} depends on {question.when.question!r}, which is not asked before it"
                    )
                if earlier.kind is Kind.TEXT:
                    raise ValueError(f"{question.id!r} depends on a text question")
            seen[question.id] = question
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index(self, question_id: str) -> int:
        return next(i for i, q in enumerate(self.questions) if q.id == question_id)


_SATISFACTION = {
    1: N_("Very dissatisfied"),
    2: N_("Dissatisfied"),
    3: N_("Neutral"),
    4: N_("Satisfied"),
    5: N_("Very satisfied"),
}
_EFFORT = {
    1: N_("Very difficult"),
    2: N_("Difficult"),
    3: N_("Somewhat difficult"),
    4: N_("Neither easy nor difficult"),
    5: N_("Somewhat easy"),
    6: N_("Easy"),
    7: N_("Very easy"),
}


def _rating(qid: str, text: str, attribute: str | None = None) -> Question:
    return Question(id=qid, kind=Kind.RATING, text=text, scale=(1, 5), labels=_SATISFACTION, attribute=attribute)


BUILTIN: dict[str, Survey] = {
    survey.key: survey
    for survey in (
        Survey(
            key="csat",
            title=N_("Customer satisfaction"),
            questions=(
                _rating("overall", N_("Overall, how satisfied are you with the help you received?")),
                _rating("speed", N_("How satisfied are you with the speed of our response?"), "speed"),
                _rating("attitude", N_("How satisfied are you with the attitude of our staff?"), "attitude"),
                _rating("solution", N_("How satisfied are you with the solution you were given?"), "solution"),
                Question(
                    id="went_wrong",
                    kind=Kind.TEXT,
                    text=N_("We are sorry to hear that. What went wrong?"),
                    when=Condition(question="overall", at_most=3),
                ),
                Question(
                    id="went_well",
                    kind=Kind.TEXT,
                    text=N_("Glad to hear it! What did we do well?"),
                    when=Condition(question="overall", at_least=4),
                ),
            ),
        ),
        Survey(
            key="nps",
            title=N_("Recommendation"),
            questions=(
                Question(
                    id="recommend",
                    kind=Kind.NPS,
                    text=N_("How likely are you to recommend us to a friend or colleague?"),
                    labels={0: N_("Not at all likely"), 10: N_("Extremely likely")},
                ),
                Question(id="why", kind=Kind.TEXT, text=N_("What is the main reason for your score?")),
            ),
        ),
        Survey(
            key="ces",
            title=N_("Customer effort"),
            questions=(
                Question(
                    id="effort",
                    kind=Kind.RATING,
                    text=N_("How easy was it to get your issue handled today?"),
                    scale=(1, 7),
                    labels=_EFFORT,
                ),
                Question(id="why", kind=Kind.TEXT, text=N_("What made it easy or hard?")),
            ),
        ),
    )
}
