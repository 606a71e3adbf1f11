"""`sayso text`: scoring text as comments are scored, and scoring stored comments again."""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.cli.common import config_or_exit, err, fail, run_or_exit
from bot.wiring import build_services
from handlers.i18n import SHIPPED
from handlers.operations.rescore import comments_to_rescore, rescore
from handlers.text.sentiment import TextAnalyzer

text_app = typer.Typer(help="Text understanding: sentiment and themes.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(text_app, name="text")


@text_app.command("score")
def score_lines(
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="The survey's language, as a hint: en, ur, hi or hu. Detected when left out."),
    ] = None,
) -> None:
    """Score text from standard input, one text per line, exactly as a survey comment is scored:
    one JSON object per line (text, language, polarity, method, status, and whether it would raise
    the low-comment alert under this configuration's [alerts] sentiment_at_most)."""
    if lang is not None and lang not in SHIPPED:
        raise fail(f"--lang: {lang!r} is not one of {', '.join(SHIPPED)}")
    alert_at = config_or_exit().file.alerts.sentiment_at_most
    analyzer = TextAnalyzer()
    analyzer.warm_up()
    if analyzer.model.problem:
        err.print(f"the text model is not in use ({analyzer.model.problem}): English only, by TextBlob")
    # Bytes that are not UTF-8 become U+FFFD, as a chat platform would deliver them, rather than
    # surrogates that no detector or JSON reader accepts.
    for line in io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace"):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        verdict = analyzer.analyze(text, lang)
        alert = verdict.polarity is not None and verdict.polarity <= alert_at
        row = {
            "text": text,
            "language": verdict.language,
            "polarity": verdict.polarity,
            "method": verdict.method,
            "status": str(verdict.status),
            "alert": alert,
        }
        print(json.dumps(row, ensure_ascii=False), flush=True)


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
