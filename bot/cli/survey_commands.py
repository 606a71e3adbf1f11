"""`sayso run`, `sayso demo` and `sayso send`: the service, a survey in the terminal, a survey on demand."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from bot.cli.common import config_or_exit, fail, run_or_exit, suppress_interrupt
from bot.wiring import build_services
from handlers.core.platforms import PLATFORM_NAMES, Platform
from handlers.survey.trigger import BadTrigger, TriggerRequest


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(demo)
    app.command()(send)


def run() -> None:
    """Run everything configured: HTTP server, survey delivery and chat platforms (the console if none)."""
    from bot.runtime import run as run_process

    with suppress_interrupt():
        run_or_exit(run_process(config_or_exit()))


def demo(
    survey: Annotated[str, typer.Option(help="Survey key: csat, nps, ces or one from SAYSO_CONFIG.")] = "csat",
    lang: Annotated[str | None, typer.Option("--lang", help="Language code: en, ur, hi or hu.")] = None,
) -> None:
    """Take one survey in the terminal, stored through the real handlers and database."""
    from bot.runtime import ANSWERS_KEPT
    from bot.runtime import demo as run_demo

    config = config_or_exit()
    try:
        with suppress_interrupt(f"Stopped; {ANSWERS_KEPT}"):
            done = run_or_exit(run_demo(config, survey=survey, language=lang))
    except BadTrigger as exc:
        raise fail(f"--{'lang' if exc.field == 'language' else exc.field}: {exc}") from None
    raise typer.Exit(0 if done else 1)


def send(
    platform: Annotated[str, typer.Option(help="slack, telegram, console, web or email.")],
    user: Annotated[
        str | None, typer.Option(help="Slack user id, Telegram user id or e-mail address (none for web).")
    ] = None,
    survey: Annotated[str | None, typer.Option(help="Survey key (default from config).")] = None,
    touchpoint: Annotated[str | None, typer.Option(help="phone, chat, email, in_person, online, …")] = None,
    agent: Annotated[str | None, typer.Option(help="Who served the customer.")] = None,
    interaction_id: Annotated[str | None, typer.Option(help="Idempotency key (default: a new one).")] = None,
    language: Annotated[str | None, typer.Option(help="Language code for the survey.")] = None,
    delay_seconds: Annotated[int | None, typer.Option(min=0, help="Wait before sending.")] = None,
) -> None:
    """Schedule a survey, as POST /api/v1/interactions does; a running `sayso run` delivers it."""
    import secrets

    from bot.platforms import outbound_only

    if platform not in PLATFORM_NAMES:
        raise fail(f"--platform: use {', '.join(PLATFORM_NAMES[:-1])} or {PLATFORM_NAMES[-1]}")
    if (user is None) != (platform == Platform.WEB):
        raise fail(
            "--user: leave it out for web (the link is the customer's)" if user else f"--user: needed for {platform}"
        )
    config = config_or_exit()

    async def _send() -> dict[str, Any]:
        async with build_services(config) as services, outbound_only(services):
            result = await services.trigger(
                TriggerRequest(
                    interaction_id=interaction_id or f"cli-{secrets.token_hex(8)}",
                    platform=platform,
                    user_id=user,
                    survey=survey,
                    touchpoint=touchpoint,
                    agent=agent,
                    language=language,
                    delay_seconds=delay_seconds,
                )
            )
        out = {"request_id": result.request_id, "status": result.status, "new": result.created}
        url = f"{config.settings.public_url}/s/{result.link}" if result.link else None
        out |= {
            k: v for k, v in (("reason", result.reason), ("start_link", result.start_link), ("survey_url", url)) if v
        }
        return out

    try:
        print(json.dumps(run_or_exit(_send())))
    except BadTrigger as exc:
        raise fail(f"--{exc.field}: {exc}") from None
