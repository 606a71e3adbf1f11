"""Timed jobs on APScheduler's AsyncIOScheduler, in SAYSO_TIMEZONE, on the process's one loop."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.wiring import Services
from handlers.core.broadcast import Outcome
from handlers.core.weeks import shift, week_of
from handlers.operations.housekeeping import prune_events, unlink_text_older_than
from handlers.suggestions.invitations import Cadence, SuggestionPrompter

log = logging.getLogger(__name__)


def digest_trigger(services: Services) -> CronTrigger:
    settings = services.config.settings
    return CronTrigger.from_crontab(settings.digest_cron, timezone=ZoneInfo(settings.timezone))


def last_fire(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest time at or before `now` the trigger fired, looking back eight days."""
    previous = None
    moment = now - timedelta(days=8)
    while (fire := trigger.get_next_fire_time(previous, moment)) is not None and fire <= now:
        previous, moment = fire, fire + timedelta(seconds=1)
    return previous


def digest_week(fired_at: datetime, timezone: str) -> str:
    """A digest reports on the last complete week before it fires."""
    return shift(week_of(fired_at, timezone), -1, timezone)


async def send_due_digest(services: Services) -> dict[str, Outcome]:
    """Send the digest of the latest scheduled time that has passed: on schedule, and on start-up
    to catch up after downtime. The ledger makes a second call for the same week a no-op."""
    settings = services.config.settings
    fired = last_fire(digest_trigger(services), services.context.clock())
    if fired is None:
        return {}
    outcome = await services.digests.send(digest_week(fired, settings.timezone))
    log.info("digest run", extra={"outcome": outcome})
    return outcome


def poll_trigger(services: Services) -> CronTrigger | None:
    cron = services.config.file.digest.poll_cron
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(services.config.settings.timezone)) if cron else None


async def post_due_poll(services: Services) -> dict[str, Outcome]:
    """Post this week's staff poll once its time has come (on schedule, or on start after downtime).

    A poll whose week is over is not posted late: its digest is about to show the answer.
    """
    trigger, zone = poll_trigger(services), services.config.settings.timezone
    now = services.context.clock()
    fired = last_fire(trigger, now) if trigger else None
    if fired is None or week_of(fired, zone) != week_of(now, zone):
        return {}
    outcome = await services.staff_poll.post(week_of(fired, zone))
    log.info("staff poll run", extra={"outcome": outcome})
    return outcome


def build_scheduler(services: Services) -> AsyncIOScheduler:
    """Jobs are idempotent per period (ledgers in the database), so a late or repeated run sends nothing twice."""
    settings, file = services.config.settings, services.config.file
    zone = ZoneInfo(settings.timezone)
    scheduler = AsyncIOScheduler(timezone=zone)
    scheduler.add_job(
        prune_events,
        CronTrigger(hour=3, minute=17, timezone=zone),
        args=[services.context],
        id="prune-events",
        coalesce=True,
        max_instances=1,
    )
    if services.digests.destinations:
        scheduler.add_job(
            send_due_digest,
            digest_trigger(services),
            args=[services],
            id="digest",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
    if file.anonymity.text_retention_days:
        scheduler.add_job(
            unlink_text_older_than,
            CronTrigger(hour=3, minute=41, timezone=zone),
            args=[services.context, file.anonymity.text_retention_days],
            id="text-retention",
            coalesce=True,
            max_instances=1,
        )
    if services.followup.destinations:  # post ready alerts, raise unclaimed ones again
        scheduler.add_job(
            services.followup.run_once,
            IntervalTrigger(minutes=1, timezone=zone),
            id="alerts",
            coalesce=True,
            max_instances=1,
        )
    if services.staff_poll.destinations and (polls := poll_trigger(services)):
        scheduler.add_job(
            post_due_poll,
            polls,
            args=[services],
            id="staff-poll",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
    rules = file.suggestions
    if rules.prompt_every_days:
        cadence = Cadence(
            rules.prompt_every_days, rules.prompt_platforms, rules.prompt_slack_channels, settings.timezone
        )
        scheduler.add_job(
            SuggestionPrompter(services.context, cadence).run_once,
            CronTrigger(hour=rules.prompt_hour, minute=0, timezone=zone),
            id="suggestion-prompts",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
    return scheduler
