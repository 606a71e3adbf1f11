"""Storage on SQLite and PostgreSQL: migrations, idempotent writes, claiming, aggregates in SQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlmodel import SQLModel

from storage.answers import AnswerValue, answers_of, save_answer
from storage.claims import claim_due
from storage.db import DatabaseUrlError, async_url, create_engine, session_factory
from storage.events import claim_event, forget_events_before
from storage.figures import Measure, responses
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Interaction, RequestState, SurveyRequest
from storage.respondents import ensure_respondent
from storage.rollups import count_answers
from storage.survey_requests import NewInteraction, NewRequest, record_interaction

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(db_url):
    engine = create_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(db):
    return session_factory(db)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///./sayso.db", "sqlite+aiosqlite:///./sayso.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u:p%40ss@h/d", "postgresql+psycopg://u:p%40ss@h/d"),
    ],
)
def test_async_url_mapping(url, expected):
    assert async_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://u@h/d", "not a url", "oracle://x", "postgresql+asyncpg://u@h/d"])
def test_unsupported_urls_are_refused(url):
    with pytest.raises(DatabaseUrlError):
        async_url(url)


async def test_migrations_match_the_models(db):
    assert await current_revision(db) == head_revision()

    def diff(connection):
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)

    async with db.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_upgrade_twice_is_harmless(db):
    await upgrade(db)
    assert await current_revision(db) == head_revision()


async def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    await engine.dispose()


async def _respondent(sessions, user="U1"):
    async with sessions() as session, session.begin():
        return (await ensure_respondent(session, platform="slack", user_id=user)).id


def _interaction(external_id: str, respondent_id: int, **kw) -> NewInteraction:
    return NewInteraction(
        external_id=external_id,
        respondent_id=respondent_id,
        touchpoint=kw.get("touchpoint"),
        agent=kw.get("agent"),
        language=None,
        occurred_at=kw.get("at", T0),
    )


def _request(**kw) -> NewRequest:
    return NewRequest(
        survey=kw.get("survey", "csat"),
        language="en",
        state=kw.get("state", RequestState.SCHEDULED),
        due_at=kw.get("due", T0),
        expires_at=None,
    )


async def test_respondent_is_created_once_and_refreshed(sessions):
    async with sessions() as session, session.begin():
        first = await ensure_respondent(session, platform="telegram", user_id="42")
        again = await ensure_respondent(
            session, platform="telegram", user_id="42", chat_id="42", platform_language="ur"
        )
    assert first.id == again.id and again.chat_id == "42" and again.platform_language == "ur"


async def test_concurrent_interactions_with_one_id_make_one_request(sessions):
    respondent_id = await _respondent(sessions)

    async def report():
        async with sessions() as session, session.begin():
            request, created = await record_interaction(
                session, interaction=_interaction("dup-1", respondent_id), request=_request()
            )
            return request.id, created

    results = await asyncio.gather(*(report() for _ in range(20)))
    assert len({request_id for request_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    async with sessions() as session:
        assert (await session.execute(select(func.count()).select_from(SurveyRequest))).scalar_one() == 1
        assert (await session.execute(select(func.count()).select_from(Interaction))).scalar_one() == 1


async def test_answer_upsert_keeps_one_row(sessions):
    respondent_id = await _respondent(sessions)
    async with sessions() as session, session.begin():
        request, _ = await record_interaction(
            session, interaction=_interaction("a-1", respondent_id), request=_request()
        )
    for value in (4, 2, 5):
        async with sessions() as session, session.begin():
            await save_answer(session, request_id=request.id, answer=AnswerValue("overall", value_int=value))
    async with sessions() as session:
        answers = await answers_of(session, request_id=request.id)
    assert list(answers) == ["overall"] and answers["overall"].value_int == 5


async def test_event_claims_dedupe_and_expire(sessions):
    async with sessions() as session, session.begin():
        assert await claim_event(session, platform="telegram", event_id="1001")
        assert not await claim_event(session, platform="telegram", event_id="1001")
        assert await claim_event(session, platform="slack", event_id="1001")
    async with sessions() as session, session.begin():
        removed = await forget_events_before(session, before=datetime.now(UTC) + timedelta(seconds=1))
    assert removed == 2


async def test_claim_due_hands_each_row_to_one_claimer(sessions):
    respondent_id = await _respondent(sessions)
    async with sessions() as session, session.begin():
        for i in range(40):
            await record_interaction(session, interaction=_interaction(f"c-{i}", respondent_id), request=_request())
        await record_interaction(
            session, interaction=_interaction("later", respondent_id), request=_request(due=T0 + timedelta(days=1))
        )

    async def claimer():
        got = []
        while True:
            async with sessions() as session, session.begin():
                rows = await claim_due(session, now=T0 + timedelta(minutes=1), limit=3)
                got += [row.id for row in rows]
            if not rows:
                return got
            await asyncio.sleep(0)

    batches = await asyncio.gather(*(claimer() for _ in range(4)))
    claimed = [request_id for batch in batches for request_id in batch]
    assert len(claimed) == 40 and len(set(claimed)) == 40


async def test_stale_claims_are_taken_again_after_the_lease(sessions):
    respondent_id = await _respondent(sessions)
    async with sessions() as session, session.begin():
        await record_interaction(session, interaction=_interaction("s-1", respondent_id), request=_request())
    async with sessions() as session, session.begin():
        assert len(await claim_due(session, now=T0, limit=5)) == 1
    async with sessions() as session, session.begin():
        assert await claim_due(session, now=T0 + timedelta(minutes=1), limit=5) == []
    async with sessions() as session, session.begin():
        again = await claim_due(session, now=T0 + timedelta(minutes=6), limit=5)
    assert len(again) == 1 and again[0].attempts == 2


async def test_funnel_and_moments_are_computed_in_sql(sessions):
    respondent_id = await _respondent(sessions)
    scores = [5, 4, 3, 2, 5]
    async with sessions() as session, session.begin():
        for i, score in enumerate(scores):
            request, _ = await record_interaction(
                session, interaction=_interaction(f"f-{i}", respondent_id), request=_request()
            )
            request.sent_at = T0
            request.state = RequestState.COMPLETED if i < 4 else RequestState.ACTIVE
            await save_answer(session, request_id=request.id, answer=AnswerValue("overall", value_int=score))
            if i == 0:
                await save_answer(session, request_id=request.id, answer=AnswerValue("speed", value_int=3))
        unanswered, _ = await record_interaction(
            session, interaction=_interaction("f-none", respondent_id), request=_request()
        )
        unanswered.sent_at = T0
    week = (T0 - timedelta(days=1), T0 + timedelta(days=6))
    async with sessions() as session:
        result = (await responses(session, start=week[0], end=week[1], survey="csat", questions=["overall"])).funnel
        counts = (await count_answers(session, periods=[week]))[week]
        overall, speed = (Measure("csat", q, 4, 2).moments(counts) for q in ("overall", "speed"))
        empty = (
            await responses(
                session,
                start=T0 + timedelta(days=30),
                end=T0 + timedelta(days=37),
                survey="csat",
                questions=["overall"],
            )
        ).funnel
    assert (result.sent, result.answered, result.completed) == (6, 5, 4)
    assert result.response_rate == pytest.approx(5 / 6)
    assert overall is not None and speed is not None
    assert overall.n == 5
    assert overall.mean == pytest.approx(19 / 5)
    assert overall.top == 3
    assert (speed.n, speed.top) == (1, 0)
    assert empty.sent == 0 and empty.response_rate is None
