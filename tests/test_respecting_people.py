"""Quiet hours in the customer's time zone, one reminder, expiry, throttling, opt-out of a queued survey,
and several dispatchers sharing one database."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.wiring import build_services
from handlers.core.quiet_hours import QuietHours
from handlers.survey.trigger import TriggerRequest
from storage.models import RequestState, SurveyRequest
from tests.conftest import make_config
from tests.fakes.chat import Person, request_row
from tests.fakes.recording import RecordingChannel

NIGHT = QuietHours(time(21, 0), time(8, 0))
_ids = itertools.count()


def test_quiet_hours_follow_the_local_clock_across_zones_and_daylight_saving():
    # 23:30 in Karachi (UTC+5) is 18:30 UTC: quiet until 08:00 Karachi = 03:00 UTC next day.
    assert NIGHT.next_allowed(datetime(2026, 6, 1, 18, 30, tzinfo=UTC), "Asia/Karachi") == datetime(
        2026, 6, 2, 3, 0, tzinfo=UTC
    )
    # The same instant is 20:30 in Budapest (summer time): not quiet.
    assert NIGHT.next_allowed(datetime(2026, 6, 1, 18, 30, tzinfo=UTC), "Europe/Budapest") is None
    # The night the clocks go forward (29 March 2026): 08:00 CEST is 06:00 UTC, not 07:00.
    assert NIGHT.next_allowed(datetime(2026, 3, 28, 23, 0, tzinfo=UTC), "Europe/Budapest") == datetime(
        2026, 3, 29, 6, 0, tzinfo=UTC
    )
    # The night they go back (25 October 2026): 08:00 CET is 07:00 UTC.
    assert NIGHT.next_allowed(datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "Europe/Budapest") == datetime(
        2026, 10, 25, 7, 0, tzinfo=UTC
    )
    # Early morning, before the end of the quiet spell, waits for the same morning.
    assert NIGHT.next_allowed(datetime(2026, 6, 2, 1, 0, tzinfo=UTC), "UTC") == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    daytime = QuietHours(time(12, 0), time(13, 0))  # a lunch break does not span midnight
    assert daytime.next_allowed(datetime(2026, 6, 2, 12, 30, tzinfo=UTC), "UTC") == datetime(
        2026, 6, 2, 13, 0, tzinfo=UTC
    )


@pytest.fixture
async def slack_like(db_url, analyzer):
    """Services with quiet hours 21:00–08:00, a 24-hour reminder, 72-hour expiry and a settable clock."""
    delivery = {"quiet_hours": True, "quiet_start": "21:00", "quiet_end": "08:00", "reminder_hours": 24}
    async with build_services(make_config(db_url, delivery=delivery), analyzer=analyzer) as services:
        channel = RecordingChannel(platform="slack")
        services.channels.add(channel)
        clock = Clock(datetime(2026, 6, 1, 18, 30, tzinfo=UTC))
        object.__setattr__(services.context, "clock", clock)
        yield services, channel, clock


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _trigger(services, user: str, **kw):
    kw.setdefault("delay_seconds", 0)
    return await services.trigger(
        TriggerRequest(interaction_id=f"i-{next(_ids)}", platform="slack", user_id=user, **kw)
    )


async def test_a_survey_due_at_night_waits_for_the_morning_in_the_customers_zone(slack_like):
    services, channel, clock = slack_like
    karachi = await _trigger(services, "U-khi", timezone="Asia/Karachi")  # 23:30 there
    budapest = await _trigger(services, "U-bud", timezone="Europe/Budapest")  # 20:30 there
    await services.survey_sender.send_due()
    assert [s.chat_id for s in channel.sent] == ["dm-U-bud"]
    waiting = await request_row(services, karachi.request_id)
    assert waiting.state == RequestState.SCHEDULED and waiting.attempts == 0
    assert waiting.due_at == datetime(2026, 6, 2, 3, 0, tzinfo=UTC)
    clock.now = datetime(2026, 6, 2, 3, 0, 1, tzinfo=UTC)
    await services.survey_sender.send_due()
    assert [s.chat_id for s in channel.sent] == ["dm-U-bud", "dm-U-khi"]
    assert (await request_row(services, budapest.request_id)).state == RequestState.ACTIVE


async def test_one_reminder_then_expiry(slack_like):
    services, channel, clock = slack_like
    clock.now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    result = await _trigger(services, "U-r")
    await services.survey_sender.send_due()
    assert await services.survey_sender.sweep() == (0, 0)
    clock.now += timedelta(hours=24, minutes=1)
    assert await services.survey_sender.sweep() == (0, 1)
    assert channel.sent[-1].text.startswith("A gentle reminder")
    clock.now += timedelta(hours=12)
    assert await services.survey_sender.sweep() == (0, 0)  # only one
    clock.now += timedelta(hours=36)
    assert await services.survey_sender.sweep() == (1, 0)
    assert (await request_row(services, result.request_id)).state == RequestState.EXPIRED
    note = await Person(services, channel, user_id="U-r").press("4")
    assert "closed" in (note.note or "").lower()


async def test_a_reminder_due_at_night_waits_too(slack_like):
    services, channel, clock = slack_like
    clock.now = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
    await _trigger(services, "U-n")
    await services.survey_sender.send_due()
    clock.now += timedelta(hours=24, minutes=1)  # 20:01 + 24 h is fine; move into the night
    clock.now += timedelta(hours=2)
    assert await services.survey_sender.sweep() == (0, 1)  # claimed, found quiet, put back
    assert len(channel.sent) == 1
    clock.now = datetime(2026, 6, 3, 8, 0, 1, tzinfo=UTC)
    assert await services.survey_sender.sweep() == (0, 1)
    assert len(channel.sent) == 2


async def test_throttling_and_opt_out_of_a_queued_survey(slack_like):
    services, channel, clock = slack_like
    clock.now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    first = await _trigger(services, "U-t", delay_seconds=600)
    second = await _trigger(services, "U-t")
    assert first.status == "scheduled" and second.status == "throttled"
    await Person(services, channel, user_id="U-t").command("stop")
    clock.now += timedelta(minutes=11)
    await services.survey_sender.send_due()
    assert (await request_row(services, first.request_id)).state == RequestState.CANCELLED
    assert not [s for s in channel.sent if s.kind == "ask"]
    clock.now += timedelta(days=8)
    await Person(services, channel, user_id="U-t").command("start")
    assert (await _trigger(services, "U-t")).status == "scheduled"  # the window has passed


@pytest.mark.parametrize("tuning", [{}, {"batch": 7, "parallel": 3}], ids=["default", "tuned"])
async def test_two_dispatchers_on_one_database_send_1000_surveys_once(db_url, analyzer, tuning):
    """Two complete service stacks, as two `sayso run` replicas, drain one queue together: one by
    batches, the other claiming the next batch while its sends are in flight."""
    channel = RecordingChannel(platform="slack")
    config = make_config(db_url, throttle={"window_days": 0}, delivery={"quiet_hours": False, **tuning})
    async with build_services(config, analyzer=analyzer) as one, build_services(config, analyzer=analyzer) as two:
        one.channels.add(channel)
        two.channels.add(channel)
        for start in range(0, 1000, 100):
            await asyncio.gather(*(_trigger(one, f"U{i}") for i in range(start, start + 100)))

        async def by_batches(services) -> None:
            while await services.survey_sender.send_due():
                pass

        await asyncio.gather(by_batches(one), two.survey_sender.drain(), by_batches(one), two.survey_sender.drain())
        async with one.context.sessions() as session:
            states = dict(
                (await session.execute(select(SurveyRequest.state, func.count()).group_by(SurveyRequest.state))).all()
            )
    chats = [s.chat_id for s in channel.sent if s.kind == "ask"]
    assert len(chats) == 1000 and len(set(chats)) == 1000  # none lost, none twice
    assert states == {RequestState.ACTIVE: 1000}
