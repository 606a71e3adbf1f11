"""Forgetting a respondent and unlinking old free text: the figures keep counting, nothing points back."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select, text, update

from handlers.core.weeks import week_of
from handlers.operations.housekeeping import unlink_text_older_than
from handlers.survey.trigger import TriggerRequest
from storage.models import Answer, Respondent, SurveyRequest
from storage.privacy import PLACEHOLDER, forget
from tests.fakes.chat import Person
from tests.test_anonymity import _all_values
from tests.test_cli import sayso


async def _answered(services, channel, user: str, scores: list[str], comment: str) -> None:
    await services.trigger(
        TriggerRequest(
            interaction_id=f"p-{user}", platform="console", user_id=user, touchpoint="phone", delay_seconds=0
        )
    )
    await services.survey_sender.send_due()
    person = Person(services, channel, user_id=user)
    for score in scores:
        await person.press(score)
    await person.types(comment)


async def _csat_n(services) -> int:
    figures = await services.weekly.build(week_of(services.context.clock(), "UTC"), trend_weeks=1)
    return figures.csat.n if figures.csat else 0


async def test_forget_keeps_the_answers_in_the_figures_and_nothing_names_the_person(services, channel, caplog):
    await _answered(services, channel, "alice-7731", ["5", "4", "5", "4"], "Lovely")
    await _answered(services, channel, "bob-1", ["2", "2", "2", "2"], "Slow")
    assert await _csat_n(services) == 2
    caplog.set_level(logging.DEBUG)
    async with services.context.sessions() as session, session.begin():
        result = await forget(session, platform="console", user_id="alice-7731", delete_answers=False)
    assert result is not None and result.responses == 1 and not result.deleted
    assert await _csat_n(services) == 2
    values = await _all_values(services)
    assert not [v for v in values if "alice-7731" in str(v[2])]
    assert "alice-7731" not in caplog.text
    async with services.context.sessions() as session:
        owners = (await session.execute(select(Respondent.platform_user_id))).scalars().all()
    assert sorted(owners) == ["bob-1", PLACEHOLDER]


async def test_forget_with_delete_answers_removes_them(services, channel):
    await _answered(services, channel, "carol", ["1", "1", "1", "1"], "Awful")
    async with services.context.sessions() as session, session.begin():
        result = await forget(session, platform="console", user_id="carol", delete_answers=True)
    assert result is not None and result.deleted
    async with services.context.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Answer))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(SurveyRequest))).scalar_one() == 0
    assert await _csat_n(services) == 0


async def test_old_free_text_is_unlinked_after_the_retention_period(services, channel):
    await _answered(services, channel, "dave", ["4", "4", "4", "4"], "Fine")
    await _answered(services, channel, "erin", ["4", "4", "4", "4"], "Good")
    old = services.context.clock() - timedelta(days=400)
    async with services.context.sessions() as session, session.begin():
        dave = (await session.execute(select(Respondent.id).where(Respondent.platform_user_id == "dave"))).scalar_one()
        requests = select(SurveyRequest.id).where(SurveyRequest.respondent_id == dave)
        await session.execute(update(Answer).where(Answer.request_id.in_(requests)).values(answered_at=old))
    assert await unlink_text_older_than(services.context, services.config.file.anonymity.text_retention_days) == 1
    assert await unlink_text_older_than(services.context, services.config.file.anonymity.text_retention_days) == 0
    async with services.context.sessions() as session:
        rows = (
            (
                await session.execute(
                    text(
                        "SELECT r.platform_user_id FROM survey_requests s JOIN respondents r ON r.id = s.respondent_id"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(rows) == ["erin", PLACEHOLDER]


def test_forget_on_the_command_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}"}
    sent = sayso("send", "--platform", "console", "--user", "frank-42", cwd=tmp_path, env=env)
    assert sent.returncode == 0, sent.stderr
    result = sayso("forget", "--platform", "console", "--user", "frank-42", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "forgotten; 1 responses kept, unlinked"
    assert "frank-42" not in result.stderr
    again = sayso("forget", "--platform", "console", "--user", "frank-42", cwd=tmp_path, env=env)
    assert again.returncode == 1 and "no respondent" in again.stderr
