"""Concurrent presses through the lean answer path: SQLite's one writer and PostgreSQL's pool both
store each answer once, and the read pool beside SQLite's writer cannot write."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from storage.models import Answer, RequestState
from tests.fakes.chat import Person, request_row

PEOPLE = 30


async def test_concurrent_presses_and_double_clicks_store_each_answer_once(services, channel):
    people = [Person(services, channel, user_id=f"U{i}") for i in range(PEOPLE)]
    requests, firsts = [], []
    for person in people:  # one at a time, so each one's prompt is the last one sent
        requests.append((await person.gets_survey()).request_id)
        firsts.append(person.prompt)

    async def clicks(person: Person, prompt) -> None:
        # a double click (two deliveries) and a redelivery of the first (the same event id)
        await asyncio.gather(
            person.press("4", prompt=prompt, event_id=f"e-{person.user_id}"),
            person.press("4", prompt=prompt),
            person.press("4", prompt=prompt, event_id=f"e-{person.user_id}"),
        )

    await asyncio.gather(*(clicks(person, prompt) for person, prompt in zip(people, firsts, strict=True)))
    async with services.context.sessions() as session:
        rows = (await session.execute(select(Answer.request_id, func.count()).group_by(Answer.request_id))).all()
    assert sorted(rows) == sorted((request_id, 1) for request_id in requests)
    for request_id in requests:
        request = await request_row(services, request_id)
        assert request.state == RequestState.ACTIVE and request.current_question == "speed"


async def test_the_read_pool_refuses_writes(services, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL reads and writes share one pool")
    assert services.context.read_sessions is not None
    async with services.context.reads() as session:
        assert (await session.execute(text("SELECT count(*) FROM answers"))).scalar_one() == 0
        with pytest.raises(OperationalError, match="readonly"):
            await session.execute(text("DELETE FROM answers"))
