"""`sayso suggestions`: what staff see of the anonymous box, and telling people what was done."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.common import config_or_exit, fail, run_or_exit
from bot.wiring import build_services, complaint_rules
from handlers.core.weeks import weeks_ending
from handlers.suggestions.report import UnknownTheme, build_report, respond_to_theme

suggestions_app = typer.Typer(help="The anonymous suggestion box.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(suggestions_app, name="suggestions")


@suggestions_app.command("report")
def suggestions_report(
    weeks: Annotated[int | None, typer.Option(min=1, max=104, help="Weeks to look back (default from config).")] = None,
) -> None:
    """Themes, repeated complaints and breakdowns; groups smaller than min_group_size are not counted."""
    from bot.suggestion_view import print_report

    config = config_or_exit()
    file = config.file

    async def _report() -> None:
        async with build_services(config) as services:
            span = weeks_ending(
                services.context.clock(), weeks or file.suggestions.theme_weeks, config.settings.timezone
            )
            rules = complaint_rules(config).rules
            print_report(await build_report(services.context, weeks=span, rules=rules), Console(highlight=False))

    run_or_exit(_report())


@suggestions_app.command("respond")
def suggestions_respond(
    theme: Annotated[str, typer.Option(help="The theme, as `sayso suggestions report` names it.")],
    text: Annotated[str, typer.Option(help="What was done about it, in a sentence.")],
) -> None:
    """Record "you said, we did": the next suggestion invitation tells people what was done."""
    if not theme.strip() or not text.strip():
        raise fail("--theme and --text must not be empty")
    config = config_or_exit()

    async def _respond() -> None:
        async with build_services(config) as services:
            await respond_to_theme(services.context, theme=theme.strip(), text=text.strip())

    try:
        run_or_exit(_respond())
    except UnknownTheme as exc:
        raise fail(f"--theme: {exc}", 1) from None
    print("recorded; it will be announced with the next suggestion invitation")
