"""The survey state machine: pure functions from (survey, stored answers, input) to the next step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from handlers.core.characters import unstorable
from handlers.core.surveys import TEXT_MAX_CHARS, Kind, Question, Survey

# A stored answer: a number, a text, or None for a skipped text question.
Value = int | str | None


class Status(StrEnum):
    """Where a request stands, as far as answering goes."""

    OPEN = "open"
    COMPLETED = "completed"
    CLOSED = "closed"  # expired, cancelled or never sent


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # answer to the current question stored
    CHANGED = "changed"  # an earlier answer replaced before completion
    REPEATED = "repeated"  # the same answer again: nothing stored
    ALREADY_COMPLETED = "already_completed"
    CLOSED = "closed"
    INVALID = "invalid"  # outside the scale, unknown question, empty or too long text
    NOT_YET = "not_yet"  # a question that has not been asked


@dataclass(frozen=True, slots=True)
class Step:
    outcome: Outcome
    store: tuple[str, Value] | None = None
    next_question: Question | None = None
    completed: bool = False
    problem: str | None = None  # why an INVALID input was refused, for the reply


def applicable(question: Question, answers: Mapping[str, Value]) -> bool:
    return question.when is None or question.when.holds(answers)


def pending(survey: Survey, answers: Mapping[str, Value]) -> Question | None:
    """The next question to ask: the first that applies and has no answer (a skip counts as one)."""
    return next((q for q in survey.questions if q.id not in answers and applicable(q, answers)), None)


def validate(question: Question, value: Value) -> str | None:
    """Return why `value` cannot answer `question`, or None when it can."""
    if question.kind is Kind.TEXT:
        if value is None:
            return None  # skipped
        if not isinstance(value, str) or not value.strip():
            return "empty"
        if unstorable(value):
            return "unstorable"
        return "too_long" if len(value) > TEXT_MAX_CHARS else None
    if not isinstance(value, int) or isinstance(value, bool) or value not in question.values:
        return "out_of_range"
    return None


def answer(survey: Survey, status: Status, answers: Mapping[str, Value], question_id: str, value: Value) -> Step:
    """Apply one answer. Never raises on bad input: every refusal is an outcome."""
    if status is Status.COMPLETED:
        return Step(Outcome.ALREADY_COMPLETED)
    if status is Status.CLOSED:
        return Step(Outcome.CLOSED)
    question = survey.question(question_id)
    if question is None:
        return Step(Outcome.INVALID, problem="unknown_question")
    problem = validate(question, value)
    if problem:
        return Step(Outcome.INVALID, problem=problem)
    current = pending(survey, answers)
    if question_id in answers:
        if answers[question_id] == value:
            return Step(Outcome.REPEATED, next_question=current)
        updated = {**answers, question_id: value}
        following = pending(survey, updated)
        return Step(Outcome.CHANGED, store=(question_id, value), next_question=following, completed=following is None)
    if current is None or current.id != question_id:
        return Step(Outcome.NOT_YET, next_question=current)
    updated = {**answers, question_id: value}
    following = pending(survey, updated)
    return Step(Outcome.ACCEPTED, store=(question_id, value), next_question=following, completed=following is None)
