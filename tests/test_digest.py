"""The digest: rendered per language, sent once per week and destination, retried where it failed."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from bot.scheduler import digest_week, last_fire, send_due_digest
from bot.wiring import build_services
from handlers.core.broadcast import Destination
from handlers.core.ports import DeliveryFailed
from handlers.core.weeks import week_bounds
from handlers.digest import figures as digest_figures
from handlers.digest.figures import AGGREGATES_AT_ONCE
from handlers.digest.report import DigestContent, compose
from handlers.digest.sender import DigestSender
from handlers.i18n import lang
from storage.history import PastResponse, add_history
from tests.conftest import make_config
from tests.fakes.recording import RecordingChannel

WEEK = "2026-W47"


@pytest.fixture
def chats(services):
    slack = RecordingChannel(platform="slack")
    telegram = RecordingChannel(platform="telegram", reaches_unknown_users=False)
    services.channels.add(slack)
    services.channels.add(telegram)
    return slack, telegram


def _sender(services, destinations) -> DigestSender:
    return DigestSender(services.context, services.weekly, destinations)


DESTINATIONS = [Destination("slack", "C0STAFF"), Destination("telegram", "-100200", "hu")]


async def _plant(services) -> None:
    start, _ = week_bounds(WEEK, "UTC")
    records = [
        PastResponse("console", f"d{i}", "csat", start + timedelta(days=1), {"overall": v})
        for i, v in enumerate([5, 4, 4, 2, 5, 3])
    ]
    async with services.context.sessions() as session, session.begin():
        await add_history(session, records)


async def test_sent_once_per_destination_in_its_language(services, chats):
    slack, telegram = chats
    await _plant(services)
    sender = _sender(services, DESTINATIONS)
    assert await sender.send(WEEK) == {"slack:C0STAFF": "sent", "telegram:-100200": "sent"}
    assert await sender.send(WEEK) == {"slack:C0STAFF": "already sent", "telegram:-100200": "already sent"}
    assert slack.texts("report")[0].startswith("Customer feedback, week 2026-W47")
    assert "CSAT (share of 4–5): 67%" in slack.texts("report")[0]
    assert telegram.texts("report")[0].startswith("Ügyfél-visszajelzések, 2026-W47 hét")
    assert [s.kind for s in slack.sent] == [s.kind for s in telegram.sent] == ["report", "image"]
    forced = await sender.send(WEEK, force=True)
    assert set(forced.values()) == {"sent"} and len(slack.texts("report")) == 2


async def test_an_empty_week_says_so(services, chats):
    slack, _ = chats
    await _sender(services, DESTINATIONS[:1]).send("2020-W01")
    assert "No responses this week." in slack.texts("report")[0]


async def test_a_failed_destination_is_retried_without_resending_the_others(services, chats):
    slack, telegram = chats
    slack.failures.append(DeliveryFailed("slack", "channel_not_found", permanent=True))
    sender = _sender(services, DESTINATIONS)
    first = await sender.send(WEEK)
    assert first == {"slack:C0STAFF": "failed: channel_not_found", "telegram:-100200": "sent"}
    second = await sender.send(WEEK)
    assert second == {"slack:C0STAFF": "sent", "telegram:-100200": "already sent"}
    assert len(telegram.texts("report")) == 1 and len(slack.texts("report")) == 1


async def test_two_replicas_on_one_database_send_each_digest_once(db_url, analyzer, services, chats):
    """Two complete service stacks (as two `sayso run` processes would have) race for the same week."""
    slack, telegram = chats
    await _plant(services)
    async with build_services(make_config(db_url), analyzer=analyzer) as other:
        other.channels.add(slack)
        other.channels.add(telegram)
        results = await asyncio.gather(
            _sender(services, DESTINATIONS).send(WEEK), _sender(other, DESTINATIONS).send(WEEK)
        )
    sent = [outcome for result in results for outcome in result.values()]
    assert sent.count("sent") == 2 and sent.count("already sent") == 2
    assert len(slack.texts("report")) == 1 and len(telegram.texts("report")) == 1


async def test_missed_schedule_is_caught_up_on_start_and_only_once(services, chats):
    slack, _ = chats
    services = dataclasses.replace(services, digests=_sender(services, DESTINATIONS[:1]))
    # The process was down at Monday 09:00; it starts on Monday 11:30.
    monday = datetime(2026, 11, 23, 11, 30, tzinfo=UTC)
    object.__setattr__(services.context, "clock", lambda: monday)
    assert await send_due_digest(services) == {"slack:C0STAFF": "sent"}
    assert slack.texts("report")[0].startswith("Customer feedback, week 2026-W47")
    assert await send_due_digest(services) == {"slack:C0STAFF": "already sent"}


def test_schedule_in_the_configured_time_zone_across_daylight_saving():
    from zoneinfo import ZoneInfo

    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab("0 9 * * mon", timezone=ZoneInfo("Europe/Budapest"))
    before_dst = last_fire(trigger, datetime(2026, 3, 24, tzinfo=UTC))
    after_dst = last_fire(trigger, datetime(2026, 3, 31, tzinfo=UTC))
    assert before_dst == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert after_dst == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert digest_week(after_dst, "Europe/Budapest") == "2026-W13"


async def test_an_empty_week_has_no_chart_and_says_so_in_every_language(services):
    figures = await services.weekly.build("2020-W01", trend_weeks=1)
    assert "No responses this week." in compose(DigestContent(figures), lang("en")).plain()
    assert "Ezen a héten nem érkezett válasz." in compose(DigestContent(figures), lang("hu")).plain()


async def test_old_delivery_records_are_pruned(services):
    from bot.scheduler import build_scheduler
    from handlers.operations.housekeeping import prune_events
    from storage.events import claim_event

    async with services.context.sessions() as session, session.begin():
        await claim_event(session, platform="telegram", event_id="old-1")
    clock = services.context.clock
    object.__setattr__(services.context, "clock", lambda: clock() + timedelta(days=15))
    assert await prune_events(services.context) == 1
    assert "prune-events" in {job.id for job in build_scheduler(services).get_jobs()}


async def test_figures_hold_two_read_connections_at_once(services, monkeypatch):
    """The aggregates run side by side on their own connections, but leave the rest of the read
    pool (four connections on SQLite) to health checks and sends while a digest runs."""
    await _plant(services)

    def lingering(query):
        async def held_open(session, **arguments):
            found = await query(session, **arguments)
            await asyncio.sleep(0.2)  # keeps its connection while the next aggregates start
            return found

        return held_open

    for name in ("count_answers", "responses", "breakdowns", "recent_comments"):
        monkeypatch.setattr(f"handlers.digest.figures.{name}", lingering(getattr(digest_figures, name)))
    pool = services.context.reads.kw["bind"].sync_engine.pool
    held = {"now": 0, "most": 0}

    def checkout(*_: object) -> None:
        held["now"] += 1
        held["most"] = max(held["most"], held["now"])

    def checkin(*_: object) -> None:
        held["now"] -= 1

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        figures = await services.weekly.build(WEEK)
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)
    assert figures.sent == 6
    assert held["most"] == AGGREGATES_AT_ONCE  # side by side (not 1), and no more (not 4)
