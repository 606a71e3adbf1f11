"""Builds the process's services once from a validated `Config` and passes them down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Config
from bot.email_channel.channel import EmailChannel
from bot.email_channel.smtp import check_smtp_url
from bot.errors import StartupError
from bot.logs import keep_payloads_out, redact
from bot.metrics import Metrics
from bot.web_survey.channel import WebChannel
from bot.webhooks import SignedPoster
from handlers.boundary import ErrorBoundary
from handlers.conversation import Conversation
from handlers.core.broadcast import Destination
from handlers.core.context import Context
from handlers.core.outbox import Outbox
from handlers.core.ports import Channels
from handlers.digest.figures import WeeklyFigures
from handlers.digest.rules import ComplaintRules, WeeklyRules
from handlers.digest.sender import DigestSender
from handlers.digest.staff_poll import StaffPoll
from handlers.followup.alerts import FollowUp
from handlers.operations.database import describe_error, open_database, open_reader, session_factory
from handlers.operations.health import PlatformHealth
from handlers.operations.webhooks import WebhookSender
from handlers.staff.accounts import StaffAccounts
from handlers.staff.sessions import StaffSessions
from handlers.suggestions.box import SuggestionBox
from handlers.suggestions.rules import ThemeRules
from handlers.survey.sender import SurveySender
from handlers.survey.trigger import Trigger
from handlers.text.sentiment import TextAnalyzer


@dataclass(frozen=True, slots=True)
class Services:
    config: Config
    database: AsyncEngine
    context: Context
    trigger: Trigger
    survey_sender: SurveySender
    boundary: ErrorBoundary
    weekly: WeeklyFigures
    digests: DigestSender
    staff_poll: StaffPoll
    followup: FollowUp
    webhooks: WebhookSender | None  # None when no SAYSO_WEBHOOK_URLS are set
    metrics: Metrics
    staff: StaffAccounts
    staff_sessions: StaffSessions
    # Each chat platform's state for /healthz, kept up to date by the adapters' start.
    platform_states: dict[str, PlatformHealth] = field(default_factory=dict)

    @property
    def channels(self) -> Channels:
        return self.context.channels


def weekly_rules(config: Config) -> WeeklyRules:
    return WeeklyRules(config.file.anonymity, config.file.targets)


def complaint_rules(config: Config) -> ComplaintRules:
    file = config.file
    return ComplaintRules(ThemeRules(file.anonymity, file.suggestions), file.digest.complaint_weeks)


def _destinations(config: Config, slack: list[str], telegram: list[str]) -> list[Destination]:
    languages, default = config.file.digest.languages, config.file.default_language
    chats = [("slack", c) for c in slack] + [("telegram", c) for c in telegram]
    return [Destination(platform, chat, languages.get(chat, default)) for platform, chat in chats]


def digest_destinations(config: Config) -> list[Destination]:
    settings = config.settings
    return _destinations(config, settings.digest_slack_channels, settings.digest_telegram_chats)


def alert_destinations(config: Config) -> list[Destination]:
    """SAYSO_ALERT_* where set, else the digest's destinations; none when alerts are off."""
    settings = config.settings
    if not config.file.alerts.enabled:
        return []
    if settings.alert_slack_channels is None and settings.alert_telegram_chats is None:
        return digest_destinations(config)
    return _destinations(config, settings.alert_slack_channels or [], settings.alert_telegram_chats or [])


@asynccontextmanager
async def build_services(
    config: Config, *, migrate: bool = True, analyzer: TextAnalyzer | None = None
) -> AsyncIterator[Services]:
    """Connect (and migrate) the database and assemble the context; platforms add their channels later."""
    settings = config.settings
    database_url = make_url(settings.database_url)
    query_password = database_url.query.get("password")  # libpq also reads it from the query
    redact(
        *(secret.get_secret_value() for secret in settings.secrets()),
        database_url.password,
        *(query_password if isinstance(query_password, tuple) else (query_password,)),
    )
    keep_payloads_out()
    url = settings.database_url
    async with AsyncExitStack() as stack:
        try:
            database = await stack.enter_async_context(open_database(url, migrate=migrate))
        except (SQLAlchemyError, OSError) as exc:
            raise StartupError(describe_error(url, exc)) from exc
        reader = await stack.enter_async_context(open_reader(database))
        metrics = Metrics()
        context = Context(
            sessions=session_factory(database),
            read_sessions=session_factory(reader) if reader is not None else None,
            channels=Channels({WebChannel.platform: WebChannel()}),
            surveys=config.surveys,
            policy=config.file.policy(settings.timezone),
            analyzer=analyzer or TextAnalyzer(),
            outbox=Outbox(tuple(settings.webhook_urls)),
            meter=metrics,
        )
        if settings.smtp_url is not None and settings.email_from is not None:
            target = check_smtp_url(settings.smtp_url.get_secret_value())
            rate = config.file.email.per_second
            context.channels.add(EmailChannel(target, settings.email_from, settings.public_url, per_second=rate))
        webhooks = None
        if settings.webhook_urls and settings.webhook_secret:
            poster = SignedPoster(settings.webhook_secret.get_secret_value())
            stack.push_async_callback(poster.close)
            webhooks = WebhookSender(context, poster)
        delivery = config.file.delivery
        survey_sender = SurveySender(context, batch=delivery.batch, parallel=delivery.parallel)
        weekly = WeeklyFigures(context, weekly_rules(config))
        suggestions = SuggestionBox(context, config.file.suggestions)
        destinations = digest_destinations(config)
        poll = StaffPoll(context, destinations, min_group_size=config.file.anonymity.min_group_size)
        followup = FollowUp(context, config.file.alerts, alert_destinations(config))
        conversation = Conversation(
            context, suggestions, staff_poll=poll, followup=followup, wake_sender=survey_sender.wake
        )
        yield Services(
            config=config,
            database=database,
            context=context,
            trigger=Trigger(context, wake=survey_sender.wake),
            survey_sender=survey_sender,
            boundary=ErrorBoundary(context, conversation),
            weekly=weekly,
            digests=DigestSender(
                context,
                weekly,
                destinations,
                poll=poll,
                complaints=complaint_rules(config),
                csat_target=config.file.targets.csat,
                followup=followup,
            ),
            staff_poll=poll,
            followup=followup,
            webhooks=webhooks,
            metrics=metrics,
            staff=StaffAccounts(context),
            staff_sessions=StaffSessions(context),
        )
