"""Commands about the stored data: export, demo history, forgetting a person, the schema."""

from __future__ import annotations

import contextlib
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

from bot.cli.common import config_or_exit, err, fail, run_or_exit
from bot.wiring import build_services
from handlers.core.platforms import Platform
from handlers.operations.database import schema_revision
from handlers.operations.demo_history import fill
from handlers.operations.demo_suggestions import fill_suggestions
from handlers.operations.export import export
from handlers.operations.housekeeping import Forgotten, forget_respondent

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("export")(export_rows)
    app.command("demo-data")(demo_data)
    app.command()(forget)
    app.add_typer(db_app, name="db")


def export_rows(
    what: Annotated[Literal["answers", "suggestions"], typer.Option(help="answers or suggestions")],
    fmt: Annotated[Literal["csv", "jsonl"], typer.Option("--format", help="csv or jsonl")] = "csv",
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="From this day on (YYYY-MM-DD).")] = None,
    out: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
) -> None:
    """Stream answers or suggestions as CSV or JSON Lines; memory stays flat for any number of rows."""
    config = config_or_exit()

    async def _export() -> int:
        async with build_services(config) as services:
            with out.open("w", encoding="utf-8", newline="") if out else contextlib.nullcontext(sys.stdout) as sink:
                return await export(
                    services.context,
                    timezone=config.settings.timezone,
                    what=what,
                    fmt=fmt,
                    since=since.date() if since else None,
                    out=sink,
                )

    count = run_or_exit(_export())
    err.print(f"{count} {what} exported" + (f" to {out}" if out else ""))


def forget(
    platform: Annotated[Platform, typer.Option(help="Where the person is.")],
    user: Annotated[str, typer.Option(help="Their Slack user id or Telegram user id.")],
    delete_answers: Annotated[
        bool, typer.Option("--delete-answers", help="Delete their answers too, instead of keeping them unlinked.")
    ] = False,
) -> None:
    """Erase a respondent's identity; their answers stay in the figures, unlinked from them."""
    config = config_or_exit()

    async def _forget() -> Forgotten | None:
        async with build_services(config) as services:
            return await forget_respondent(
                services.context, platform=platform, user_id=user, delete_answers=delete_answers
            )

    result = run_or_exit(_forget())
    if result is None:
        raise fail(f"no respondent {user!r} on {platform}", 1)
    verb = "deleted" if result.deleted else "kept, unlinked"
    print(f"forgotten; {result.responses} responses {verb}")


def demo_data(
    answers: Annotated[int, typer.Option(min=1, help="About how many answers to create.")],
    weeks: Annotated[int, typer.Option(min=1, max=260, help="Spread over this many past weeks.")] = 12,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 1,
) -> None:
    """Fill the database with a realistic synthetic history (touchpoints, agents, drivers, comments) and
    a few weeks of suggestions in four languages."""
    config = config_or_exit()
    suggestions = min(max(answers // 100, 24), 500)

    async def _fill() -> tuple[int, int]:
        async with build_services(config) as services:
            filled = await fill(services.context, answers=answers, weeks=weeks, seed=seed)
            await fill_suggestions(services.context, count=suggestions, weeks=min(weeks, 8), seed=seed)
            return filled

    responses, written = run_or_exit(_fill())
    err.print(f"{written} answers in {responses} responses over {weeks} weeks; {suggestions} suggestions")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply Alembic migrations up to the newest schema."""
    config = config_or_exit()

    async def _upgrade() -> str | None:
        async with build_services(config, migrate=True) as services:
            return await schema_revision(services.database)

    print(f"database at revision {run_or_exit(_upgrade())}")


@db_app.command("rebuild-rollups")
def db_rebuild_rollups(
    weeks: Annotated[int, typer.Option(min=1, max=260, help="Count the closed weeks among this many past weeks.")] = 12,
) -> None:
    """Count the digest's closed weeks again from the answers (after restoring a backup, say)."""
    config = config_or_exit()

    async def _rebuild() -> int:
        async with build_services(config) as services:
            return await services.weekly.rebuild_rollups(weeks=weeks)

    print(f"{run_or_exit(_rebuild())} closed weeks rolled up")
