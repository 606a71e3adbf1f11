"""`sayso digest`: the week's digest previewed in the terminal or posted to the staff destinations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.common import config_or_exit, err, fail, run_or_exit
from bot.wiring import build_services
from handlers.core.broadcast import Failed, Outcome
from handlers.i18n import SHIPPED, lang


def register(app: typer.Typer) -> None:
    app.command()(digest)


def digest(
    preview: Annotated[bool, typer.Option("--preview", help="Print the digest in this terminal.")] = False,
    send: Annotated[bool, typer.Option("--send", help="Post it to the configured destinations.")] = False,
    week: Annotated[str | None, typer.Option(help="ISO week such as 2026-W47 (default: last week).")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --send: send again where it was sent.")] = False,
    chart: Annotated[
        Path | None, typer.Option(help="With --preview: also write the digest's chart to this PNG file.")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--lang", help="With --preview: the language to show it in (en, ur, hi, hu; default from config)."
        ),
    ] = None,
) -> None:
    """The weekly digest: scores with their uncertainty, trend, drivers, breakdowns, comments."""
    from bot.digest_view import print_digest
    from bot.platforms import outbound_only
    from handlers.core.weeks import parse_week, shift, week_of

    if preview == send:
        raise fail("choose one of --preview and --send")
    if chart and not preview:
        raise fail("--chart goes with --preview")
    if force and not send:
        raise fail("--force goes with --send")
    if language and not preview:
        raise fail("--lang goes with --preview (a sent digest speaks each destination's language)")
    if language and language not in SHIPPED:
        raise fail(f"--lang: use one of {', '.join(SHIPPED)}")
    if chart and not chart.parent.is_dir():
        raise fail(f"--chart: folder {chart.parent} does not exist")
    config = config_or_exit()
    if send and not (config.settings.digest_slack_channels or config.settings.digest_telegram_chats):
        raise fail("--send: no destination; set SAYSO_DIGEST_SLACK_CHANNELS or SAYSO_DIGEST_TELEGRAM_CHATS")
    zone = config.settings.timezone
    try:
        chosen = parse_week(week) if week else None
    except ValueError as exc:
        raise fail(f"--week: {exc}") from None

    async def _digest() -> dict[str, Outcome] | None:
        async with build_services(config) as services:
            target = chosen or shift(week_of(services.context.clock(), zone), -1, zone)
            if preview:
                content = await services.digests.gather(target)
                shown = language or config.file.default_language
                print_digest(content, lang(shown), Console(highlight=False))
                if chart:
                    chart.write_bytes(await services.digests.chart(content, shown))
                    err.print(f"chart written to {chart}")
                return None
            async with outbound_only(services):
                return await services.digests.send(target, force=force)

    outcome = run_or_exit(_digest())
    for destination, result in (outcome or {}).items():
        print(f"{destination}: {result}")
    if outcome and any(isinstance(result, Failed) for result in outcome.values()):
        raise typer.Exit(1)
