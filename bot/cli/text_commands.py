"""`sayso text`: the text model's state, and scoring stored comments again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.cli.common import config_or_exit, err, run_or_exit
from bot.wiring import build_services
from handlers.operations.rescore import comments_to_rescore, rescore

text_app = typer.Typer(help="Text understanding: sentiment and themes.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(text_app, name="text")


@text_app.command("rescore")
def rescore_comments(
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Only comments answered from this day on.")
    ] = None,
) -> None:
    """Detect the language and score the sentiment of stored comments again with the current model
    (after an upgrade, or for comments stored as not scored before their language was supported)."""
    config = config_or_exit()
    start = since.replace(tzinfo=UTC) if since else None

    async def _rescore() -> tuple[int, str | None]:
        done = 0
        async with build_services(config) as services:
            total = await comments_to_rescore(services.context, since=start)
            columns = (TextColumn("rescoring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task("rescore", total=total)
                async for page in rescore(services.context, since=start):
                    done += page
                    progress.advance(task, page)
            return done, services.context.analyzer.model.problem

    done, problem = run_or_exit(_rescore())
    print(f"{done} comments rescored" + (f" without the text model ({problem}): English only" if problem else ""))
