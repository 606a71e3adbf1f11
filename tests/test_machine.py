"""The pure survey state machine, table-driven: no I/O."""

from __future__ import annotations

import pytest

from handlers.core.surveys import BUILTIN, TEXT_MAX_CHARS
from handlers.survey.machine import Outcome, Status, answer, pending, validate

CSAT = BUILTIN["csat"]
NPS = BUILTIN["nps"]
CES = BUILTIN["ces"]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, "overall"),
        ({"overall": 4}, "speed"),
        ({"overall": 4, "speed": 5, "attitude": 4, "solution": 5}, "went_well"),
        ({"overall": 3, "speed": 5, "attitude": 4, "solution": 5}, "went_wrong"),
        ({"overall": 1, "speed": 1, "attitude": 1, "solution": 1}, "went_wrong"),
        ({"overall": 5, "speed": 5, "attitude": 5, "solution": 5, "went_well": None}, None),
        ({"overall": 2, "speed": 2, "attitude": 2, "solution": 2, "went_wrong": "slow"}, None),
    ],
)
def test_pending_follows_conditions(answers, expected):
    question = pending(CSAT, answers)
    assert (question.id if question else None) == expected


@pytest.mark.parametrize(
    ("survey", "question_id", "value", "problem"),
    [
        (CSAT, "overall", 1, None),
        (CSAT, "overall", 5, None),
        (CSAT, "overall", 0, "out_of_range"),
        (CSAT, "overall", 6, "out_of_range"),
        (CSAT, "overall", "4", "out_of_range"),
        (CSAT, "overall", True, "out_of_range"),
        (CSAT, "overall", None, "out_of_range"),
        (NPS, "recommend", 0, None),
        (NPS, "recommend", 10, None),
        (NPS, "recommend", 11, "out_of_range"),
        (NPS, "recommend", -1, "out_of_range"),
        (CES, "effort", 7, None),
        (CES, "effort", 8, "out_of_range"),
        (CSAT, "went_well", "Quick and kind", None),
        (CSAT, "went_well", None, None),
        (CSAT, "went_well", "   ", "empty"),
        (CSAT, "went_well", "x" * (TEXT_MAX_CHARS + 1), "too_long"),
        (CSAT, "went_well", 4, "empty"),
    ],
)
def test_validate(survey, question_id, value, problem):
    assert validate(survey.question(question_id), value) == problem


def test_full_csat_walk():
    answers: dict = {}
    for question_id, value in [("overall", 4), ("speed", 5), ("attitude", 4), ("solution", 5)]:
        step = answer(CSAT, Status.OPEN, answers, question_id, value)
        assert step.outcome is Outcome.ACCEPTED
        assert step.store == (question_id, value)
        assert not step.completed
        answers[question_id] = value
    assert step.next_question.id == "went_well"
    final = answer(CSAT, Status.OPEN, answers, "went_well", "Quick and kind")
    assert final.outcome is Outcome.ACCEPTED and final.completed and final.next_question is None


ANSWERED = {"overall": 4, "speed": 5}


@pytest.mark.parametrize(
    ("status", "question_id", "value", "outcome", "stores", "next_id"),
    [
        (Status.OPEN, "attitude", 3, Outcome.ACCEPTED, True, "solution"),
        (Status.OPEN, "speed", 5, Outcome.REPEATED, False, "attitude"),
        (Status.OPEN, "overall", 2, Outcome.CHANGED, True, "attitude"),
        (Status.OPEN, "solution", 3, Outcome.NOT_YET, False, "attitude"),
        (Status.OPEN, "attitude", 9, Outcome.INVALID, False, None),
        (Status.OPEN, "nonsense", 3, Outcome.INVALID, False, None),
        (Status.COMPLETED, "attitude", 3, Outcome.ALREADY_COMPLETED, False, None),
        (Status.CLOSED, "attitude", 3, Outcome.CLOSED, False, None),
    ],
)
def test_answer_outcomes(status, question_id, value, outcome, stores, next_id):
    step = answer(CSAT, status, ANSWERED, question_id, value)
    assert step.outcome is outcome
    assert (step.store is not None) is stores
    assert (step.next_question.id if step.next_question else None) == next_id


def test_changing_the_overall_score_switches_the_follow_up():
    answers = {"overall": 5, "speed": 5, "attitude": 5, "solution": 5}
    assert pending(CSAT, answers).id == "went_well"
    step = answer(CSAT, Status.OPEN, answers, "overall", 1)
    assert step.outcome is Outcome.CHANGED
    assert step.next_question.id == "went_wrong"


def test_skip_completes_a_text_question():
    answers = {"recommend": 9}
    step = answer(NPS, Status.OPEN, answers, "why", None)
    assert step.outcome is Outcome.ACCEPTED and step.completed and step.store == ("why", None)
