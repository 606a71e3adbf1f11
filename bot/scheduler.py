"""Timed jobs on APScheduler's AsyncIOScheduler, in SAYSO_TIMEZONE, on the process's one loop."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.wiring import Services
from handlers.suggestion_prompts import Cadence, SuggestionPrompter


def build_scheduler(services: Services) -> AsyncIOScheduler:
    """Jobs are idempotent per period (ledgers in the database), so a late or repeated run sends nothing twice."""
    settings, file = services.config.settings, services.config.file
    zone = ZoneInfo(settings.timezone)
    scheduler = AsyncIOScheduler(timezone=zone)
    rules = file.suggestions
    if rules.prompt_every_days:
        cadence = Cadence(
            rules.prompt_every_days, rules.prompt_platforms, rules.prompt_slack_channels, settings.timezone
        )
        scheduler.add_job(
            SuggestionPrompter(services.engine, cadence).run_once,
            CronTrigger(hour=rules.prompt_hour, minute=0, timezone=zone),
            id="suggestion-prompts",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=6 * 3600,
        )
    return scheduler
