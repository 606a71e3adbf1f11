"""A sender that dies mid-batch: nothing is posted twice, nothing stays claimed for long."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from handlers.survey.sender import SurveySender
from handlers.survey.trigger import TriggerRequest
from storage.claims import CLAIM_LEASE, UNCONFIRMED, Claim, claim_due, mark_posting
from storage.models import RequestState
from tests.fakes.chat import Person, request_row


def _advance(services, by: timedelta) -> None:
    now = services.context.clock()
    object.__setattr__(services.context, "clock", lambda: now + by)


async def _schedule(services, user: str) -> int:
    result = await services.trigger(
        TriggerRequest(interaction_id=f"c-{user}", platform="console", user_id=user, delay_seconds=0)
    )
    return result.request_id


async def _claim(services) -> list[int]:
    async with services.context.sessions() as session, session.begin():
        return [row.id for row in await claim_due(session, now=services.context.clock(), limit=50)]


async def test_a_post_under_way_at_a_crash_is_opened_not_posted_again(services, channel):
    request_id = await _schedule(services, "U1")
    (claimed,) = await _claim(services)
    row = await request_row(services, claimed)
    async with services.context.sessions() as session, session.begin():
        ours = await mark_posting(session, claims=[Claim(claimed, row.claimed_at)], now=services.context.clock())
        assert ours == {claimed}
    # …and here the process died, after the platform call started but before it was recorded.
    _advance(services, CLAIM_LEASE + timedelta(seconds=1))
    assert await services.survey_sender.send_due() == 0  # not claimed again: it may have been posted
    await services.survey_sender.sweep()
    after = await request_row(services, request_id)
    assert after.state == RequestState.ACTIVE and after.last_error == UNCONFIRMED and channel.prompts == []
    # The person can still answer the question if it did arrive; the reminder re-asks it otherwise.
    assert (await Person(services, channel, user_id="U1").types("4")).note is None
    assert after.due_at > services.context.clock()


async def test_a_claim_never_started_is_sent_after_a_minute(services, channel):
    request_id = await _schedule(services, "U2")
    await _claim(services)  # the claimer died before starting the send
    _advance(services, timedelta(seconds=30))
    assert await services.survey_sender.send_due() == 0  # still its claim
    _advance(services, CLAIM_LEASE + timedelta(seconds=1))
    assert await services.survey_sender.send_due() == 1
    row = await request_row(services, request_id)
    assert row.state == RequestState.ACTIVE and row.attempts == 2 and len(channel.prompts) == 1


async def test_a_claim_taken_over_is_not_posted_by_its_first_sender(services, channel):
    await _schedule(services, "U3")
    (first_claim,) = await _claim(services)
    slow = SurveySender(services.context)  # the first sender, stalled past its lease
    _advance(services, CLAIM_LEASE + timedelta(seconds=1))
    assert await services.survey_sender.send_due() == 1  # a second sender takes it over and posts
    await slow.send(first_claim)  # the stalled one wakes up: its claim is gone
    assert len(channel.prompts) == 1


async def test_two_senders_racing_for_one_row_post_it_once(services, channel):
    for i in range(30):
        await _schedule(services, f"R{i}")
    other = SurveySender(services.context)
    await asyncio.gather(services.survey_sender.send_due(), other.send_due())
    assert len(channel.prompts) == 30
    assert len({prompt.chat_id for prompt in channel.sent if prompt.kind == "ask"}) == 30
