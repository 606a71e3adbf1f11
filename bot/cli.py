"""The `sayso` command line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Coroutine, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from bot.config import Config, ConfigError, load_config
from bot.logs import setup_logging
from bot.wiring import StartupError, build_services, complaint_rules
from handlers.survey.trigger import TriggerRequest, UnknownSurvey
from storage.migrate import current_revision

app = typer.Typer(help="Sayso: chat-native customer feedback.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
suggestions_app = typer.Typer(help="The anonymous suggestion box.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(suggestions_app, name="suggestions")
err = Console(stderr=True, highlight=False)
T = TypeVar("T")


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def _config() -> Config:
    try:
        config = load_config()
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    setup_logging(config.settings.log_level)
    return config


def _run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except (StartupError, ConfigError) as exc:
        raise _fail(str(exc)) from None


@app.command()
def run() -> None:
    """Run everything configured: HTTP server, survey_sender and chat platforms (the console if none)."""
    from bot.runtime import run as run_process

    with _suppress_interrupt():
        _run(run_process(_config()))


@app.command()
def demo(
    survey: Annotated[str, typer.Option(help="Survey key: csat, nps, ces or one from SAYSO_CONFIG.")] = "csat",
    lang: Annotated[str | None, typer.Option("--lang", help="Language code: en, ur, hi or hu.")] = None,
) -> None:
    """Take one survey in the terminal, stored through the real handlers and database."""
    from bot.runtime import demo as run_demo

    config = _config()
    if survey not in config.surveys:
        raise _fail(f"--survey: unknown survey {survey!r}; known: {', '.join(sorted(config.surveys))}")
    with _suppress_interrupt():
        done = _run(run_demo(config, survey=survey, language=lang))
    raise typer.Exit(0 if done else 1)


@app.command()
def send(
    platform: Annotated[str, typer.Option(help="slack, telegram or console.")],
    user: Annotated[str, typer.Option(help="Slack user id or Telegram user id.")],
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

    if platform not in ("slack", "telegram", "console"):
        raise _fail("--platform: use slack, telegram or console")
    config = _config()

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
        out |= {k: v for k, v in (("reason", result.reason), ("start_link", result.start_link)) if v}
        return out

    try:
        print(json.dumps(_run(_send())))
    except UnknownSurvey as exc:
        raise _fail(f"--survey: {exc}") from None


@app.command("export")
def export_rows(
    what: Annotated[Literal["answers", "suggestions"], typer.Option(help="answers or suggestions")],
    fmt: Annotated[Literal["csv", "jsonl"], typer.Option("--format", help="csv or jsonl")] = "csv",
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="From this day on (YYYY-MM-DD).")] = None,
    out: Annotated[Path | None, typer.Option(help="File to write (default: standard output).")] = None,
) -> None:
    """Stream answers or suggestions as CSV or JSON Lines; memory stays flat for any number of rows."""
    from bot.export import export

    config = _config()

    async def _export() -> int:
        async with build_services(config) as services:
            with out.open("w", encoding="utf-8", newline="") if out else contextlib.nullcontext(sys.stdout) as sink:
                return await export(services, what=what, fmt=fmt, since=since.date() if since else None, out=sink)

    count = _run(_export())
    err.print(f"{count} {what} exported" + (f" to {out}" if out else ""))


@app.command()
def digest(
    preview: Annotated[bool, typer.Option("--preview", help="Print the digest in this terminal.")] = False,
    send: Annotated[bool, typer.Option("--send", help="Post it to the configured destinations.")] = False,
    week: Annotated[str | None, typer.Option(help="ISO week such as 2026-W47 (default: last week).")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --send: send again where it was sent.")] = False,
    chart: Annotated[
        Path | None, typer.Option(help="With --preview: also write the digest's chart to this PNG file.")
    ] = None,
) -> None:
    """The weekly digest: scores with their uncertainty, trend, drivers, breakdowns, comments."""
    from bot.digest_view import print_digest
    from bot.platforms import outbound_only
    from handlers.digest.figures import parse_week, shift, week_of

    if preview == send:
        raise _fail("choose one of --preview and --send")
    if chart and not preview:
        raise _fail("--chart goes with --preview")
    config = _config()
    if send and not (config.settings.digest_slack_channels or config.settings.digest_telegram_chats):
        raise _fail("--send: no destination; set SAYSO_DIGEST_SLACK_CHANNELS or SAYSO_DIGEST_TELEGRAM_CHATS")
    zone = config.settings.timezone
    try:
        chosen = parse_week(week) if week else None
    except ValueError as exc:
        raise _fail(f"--week: {exc}") from None

    async def _digest() -> dict[str, str] | None:
        async with build_services(config) as services:
            target = chosen or shift(week_of(services.context.clock(), zone), -1, zone)
            if preview:
                content = await services.digests.gather(target)
                print_digest(content, Console(highlight=False))
                if chart:
                    chart.write_bytes(await services.digests.chart(content, config.file.default_language))
                    err.print(f"chart written to {chart}")
                return None
            async with outbound_only(services):
                return await services.digests.send(target, force=force)

    outcome = _run(_digest())
    for destination, result in (outcome or {}).items():
        print(f"{destination}: {result}")
    if outcome and any(result.startswith("failed") for result in outcome.values()):
        raise typer.Exit(1)


@app.command()
def forget(
    platform: Annotated[Literal["slack", "telegram", "console"], typer.Option(help="Where the person is.")],
    user: Annotated[str, typer.Option(help="Their Slack user id or Telegram user id.")],
    delete_answers: Annotated[
        bool, typer.Option("--delete-answers", help="Delete their answers too, instead of keeping them unlinked.")
    ] = False,
) -> None:
    """Erase a respondent's identity; their answers stay in the figures, unlinked from them."""
    from storage.privacy import forget as forget_respondent

    config = _config()

    async def _forget() -> Any:
        async with build_services(config) as services, services.context.sessions() as session, session.begin():
            return await forget_respondent(session, platform=platform, user_id=user, delete_answers=delete_answers)

    result = _run(_forget())
    if result is None:
        raise _fail(f"no respondent {user!r} on {platform}", 1)
    # The log line and the output never repeat the erased identity.
    logging.getLogger("sayso.privacy").info("respondent forgotten", extra={"responses": result.responses,
                                                                           "deleted": result.deleted})  # fmt: skip
    verb = "deleted" if result.deleted else "kept, unlinked"
    print(f"forgotten; {result.responses} responses {verb}")


@app.command("demo-data")
def demo_data(
    answers: Annotated[int, typer.Option(min=1, help="About how many answers to create.")],
    weeks: Annotated[int, typer.Option(min=1, max=260, help="Spread over this many past weeks.")] = 12,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 1,
) -> None:
    """Fill the database with a realistic synthetic history (touchpoints, agents, drivers, comments)."""
    from handlers.digest.demo_history import generate
    from storage.history import add_history

    config = _config()

    async def _fill() -> tuple[int, int]:
        responses = written = 0
        async with build_services(config) as services:
            chunk: list[Any] = []
            until = services.context.clock()
            for record in generate(answers=answers, weeks=weeks, seed=seed, until=until):
                chunk.append(record)
                if len(chunk) == 2000:
                    responses, written = await _flush(services, chunk, responses, written)
            if chunk:
                responses, written = await _flush(services, chunk, responses, written)
        return responses, written

    async def _flush(services: Any, chunk: list[Any], responses: int, written: int) -> tuple[int, int]:
        async with services.context.sessions() as session, session.begin():
            await add_history(session, chunk)
        responses, written = responses + len(chunk), written + sum(len(r.answers) for r in chunk)
        chunk.clear()
        return responses, written

    responses, written = _run(_fill())
    err.print(f"{written} answers in {responses} responses over {weeks} weeks")


@suggestions_app.command("report")
def suggestions_report(
    weeks: Annotated[int | None, typer.Option(min=1, max=104, help="Weeks to look back (default from config).")] = None,
) -> None:
    """Themes, repeated complaints and breakdowns; groups smaller than min_group_size are not counted."""
    from bot.suggestion_view import print_report
    from handlers.suggestions.report import build_report, weeks_ending

    config = _config()
    file = config.file

    async def _report() -> None:
        async with build_services(config) as services:
            span = weeks_ending(
                services.context.clock(), weeks or file.suggestions.theme_weeks, config.settings.timezone
            )
            rules = complaint_rules(config).rules
            print_report(await build_report(services.context, weeks=span, rules=rules), Console(highlight=False))

    _run(_report())


@suggestions_app.command("respond")
def suggestions_respond(
    theme: Annotated[str, typer.Option(help="The theme, as `sayso suggestions report` names it.")],
    text: Annotated[str, typer.Option(help="What was done about it, in a sentence.")],
) -> None:
    """Record "you said, we did": the next suggestion invitation tells people what was done."""
    from storage.suggestions import add_theme_response

    if not theme.strip() or not text.strip():
        raise _fail("--theme and --text must not be empty")
    config = _config()

    async def _respond() -> None:
        async with build_services(config) as services, services.context.sessions() as session, session.begin():
            await add_theme_response(session, theme=theme.strip(), response=text.strip())

    _run(_respond())
    print("recorded; it will be announced with the next suggestion invitation")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply Alembic migrations up to the newest schema."""
    config = _config()

    async def _upgrade() -> str | None:
        async with build_services(config, migrate=True) as services:
            return await current_revision(services.database)

    print(f"database at revision {_run(_upgrade())}")


@config_app.command("check")
def config_check() -> None:
    """Validate the configuration and print the effective settings, secrets masked."""
    config = _config()
    table = Table("setting", "value", title="Sayso configuration")
    for name, field in type(config.settings).model_fields.items():
        value = getattr(config.settings, name)
        shown = "(set, hidden)" if isinstance(value, SecretStr) else value
        table.add_row(str(field.validation_alias or name), _show(shown))
    file = config.file
    table.add_row("surveys", ", ".join(sorted(config.surveys)))
    for section in ("delivery", "throttle", "anonymity", "targets"):
        for key, value in getattr(file, section).model_dump().items():
            table.add_row(f"{section}.{key}", _show(value))
    table.add_row("default_language", file.default_language)
    Console(highlight=False).print(table)
    Console(highlight=False).print("[green]configuration is valid[/green]")


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, str) and "://" in value:
        from sqlalchemy.engine import make_url

        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:
            return value
    return str(value)


@contextlib.contextmanager
def _suppress_interrupt() -> Iterator[None]:
    """Ctrl-C ends the command quietly with the conventional exit code."""
    try:
        yield
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def main() -> None:
    app()
