"""Responses: every survey response with filters in the URL, pages by keyset, one response in full,
the figures per group under the small-group rules, and the filtered answers as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import StreamingResponse

from bot.http.console import render
from bot.http.console.alerts import STATE_WORDS
from bot.http.console.deps import MANAGERS, SessionDep, allowed, own_agent
from bot.http.deps import ServicesDep
from bot.http.pages import Words, page_language
from handlers.core.weeks import parse_week, shift, week_bounds, week_of
from handlers.digest.report import DIMENSIONS, FEWER_THAN
from handlers.digest.statistics import Mean, NetScore, Share
from handlers.explore.figures import Figure, Figures, filtered_figures
from handlers.explore.responses import (
    ANSWER_FIELDS,
    HEADLINE,
    ResponseFilter,
    ResponseRow,
    Tone,
    answer_batches,
    one_response,
    page_of_responses,
)
from handlers.i18n import N_
from handlers.operations.export import plain
from handlers.staff.sessions import CurrentSession

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE_SIZE = 50
MOST_WEEKS = 26  # a longer range is cut to its last 26 weeks
SCORECARD = (N_("Your scorecard"), N_("Agent"))
YOU, TEAM = N_("You (%(agent)s)"), N_("The whole team")
IGNORED = N_("Ignored filters that are not valid: %(names)s.")
NOT_GIVEN = "—"
WHEN = ANSWER_FIELDS.index("answered_at")  # the one column that is not text or a number as stored


@dataclass(frozen=True, slots=True)
class Chosen:
    """The filter as the URL gave it (for the form and links) and as the query uses it."""

    query: ResponseFilter
    shown: dict[str, str]  # the valid parameters, to keep in links
    first: str
    last: str
    ignored: list[str]


def chosen_filter(params: Mapping[str, str], *, zone: str, this_week: str, agent: str | None) -> Chosen:
    """Parse the URL's filters; a value that is not valid is left out and named, never an error page."""
    ignored: list[str] = []
    shown: dict[str, str] = {}

    def week(name: str, default: str) -> str:
        text = params.get(name, "").strip()
        if not text:
            return default
        try:
            return parse_week(text)
        except ValueError:
            ignored.append(name)
            return default

    last_week = shift(this_week, -1, zone)
    last = week("to", last_week)
    first = week("from", last)
    if first > last:
        first, last = last, first
    weeks = [first]
    while weeks[-1] < last and len(weeks) < 500:
        weeks.append(shift(weeks[-1], 1, zone))
    weeks = weeks[-MOST_WEEKS:]
    first = weeks[0]
    shown |= {"from": first, "to": last}

    def text(name: str) -> str | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        if len(value) > 128:
            ignored.append(name)
            return None
        shown[name] = value
        return value

    def score(name: str) -> int | None:
        value = params.get(name, "").strip()
        if not value:
            return None
        if not value.isdigit() or int(value) > 10:
            ignored.append(name)
            return None
        shown[name] = value
        return int(value)

    survey = text("survey")
    if survey is not None and survey not in HEADLINE:
        ignored.append("survey")
        shown.pop("survey")
        survey = None
    tone = None
    if value := params.get("sentiment", "").strip():
        if value in Tone.__members__.values():
            tone, shown["sentiment"] = Tone(value), value
        else:
            ignored.append("sentiment")
    comment = None
    if value := params.get("comment", "").strip():
        if value in ("yes", "no"):
            comment, shown["comment"] = value == "yes", value
        else:
            ignored.append("comment")
    query = ResponseFilter(
        tuple(week_bounds(w, zone) for w in weeks),
        survey=survey,
        agent=agent if agent is not None else text("agent"),
        touchpoint=text("touchpoint"),
        platform=text("platform"),
        language=text("language"),
        score_at_least=score("score_min"),
        score_at_most=score("score_max"),
        tone=tone,
        has_comment=comment,
    )
    if agent is not None:
        shown.pop("agent", None)
    return Chosen(query, shown, first, last, ignored)


@router.get("/responses")
async def responses(request: Request, services: ServicesDep, me: SessionDep) -> Response:
    zone = services.config.settings.timezone
    own = own_agent(me)
    chosen = chosen_filter(
        request.query_params, zone=zone, this_week=week_of(services.context.clock(), zone), agent=own
    )
    older = _keyset(request.query_params.get("older"))
    newer = _keyset(request.query_params.get("newer"))
    page, choices = await page_of_responses(
        services.context, chosen.query, size=PAGE_SIZE, older_than=older, newer_than=newer
    )
    if own is not None:
        choices["agent"] = []
    min_size = services.config.file.anonymity.min_group_size
    figures = await filtered_figures(services.context, chosen.query, min_size=min_size, own_agent=own)
    language = page_language(request, me.member.language, services.config.file.default_language)
    words = Words(language)
    link = urlencode(chosen.shown)
    context: dict[str, Any] = {
        "me": me,
        "page": "responses",
        "filters": chosen.shown,
        "first": chosen.first,
        "last": chosen.last,
        "choices": choices,
        "ignored": words(IGNORED, names=", ".join(sorted(chosen.ignored))) if chosen.ignored else None,
        "rows": [_row(row, words) for row in page.rows],
        "older": f"?{link}&older={page.older}" if page.older else None,
        "newer": f"?{link}&newer={page.newer}" if page.newer else None,
        "csv": f"/console/responses.csv?{link}" if me.member.role in MANAGERS else None,
        "figures": _figures(figures, words, own),
    }
    return render(request, "responses.html", language, context)


def _keyset(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _row(row: ResponseRow, words: Words) -> dict[str, Any]:
    comment = row.comments[0] if row.comments else None
    return {
        "id": row.id,
        "when": words.when(row.sent_at),
        "survey": row.survey,
        "score": row.score,
        "comment": comment,
        "tone": _tone(comment.sentiment, words) if comment else None,
        "agent": row.agent or NOT_GIVEN,
        "touchpoint": row.touchpoint or NOT_GIVEN,
        "platform": row.platform,
        "language": row.language,
        "alert": words(STATE_WORDS[row.alert_state]) if row.alert_state else None,
    }


def _tone(sentiment: float | None, words: Words) -> str:
    return NOT_GIVEN if sentiment is None else words.signed(sentiment, 2)


def _figures(figures: Figures, words: Words, own: str | None) -> list[dict[str, Any]]:
    few = words(FEWER_THAN, min=figures.min_size)
    tables = []
    for table in figures.tables:
        if table.dimension == "scorecard":
            heading, column = words(SCORECARD[0]), words(SCORECARD[1])
            names = [words(YOU, agent=own or ""), words(TEAM)]
        else:
            heading, column = (words(text) for text in DIMENSIONS[table.dimension])
            names = [NOT_GIVEN if row.name is None else row.name for row in table.rows]
        rows = [_figure_row(name, row, words, few) for name, row in zip(names, table.rows, strict=True)]
        tables.append({"heading": heading, "column": column, "rows": rows, "dimension": table.dimension})
    return tables


def _figure_row(name: str, figure: Figure, words: Words, few: str) -> dict[str, Any]:
    statistic = figure.statistic
    row: dict[str, Any] = {"name": name, "value": figure.name, "few": few if statistic is None else None}
    if isinstance(statistic, Share):
        low, high = statistic.interval
        row |= {"shown": words.percent(statistic.value), "range": f"{words.percent(low)}–{words.percent(high)}"}
    elif isinstance(statistic, NetScore):
        row |= {"shown": words.signed(statistic.value), "range": f"± {words.number(statistic.margin)}"}
    elif isinstance(statistic, Mean):
        margin = statistic.margin
        row |= {
            "shown": words.number(statistic.value, 2),
            "range": f"± {words.number(margin, 2)}" if margin is not None else NOT_GIVEN,
        }
    if statistic is not None:
        row["n"] = words.number(statistic.n)
    return row


@router.get("/responses/{request_id}")
async def response(request: Request, request_id: int, services: ServicesDep, me: SessionDep) -> Response:
    found = await one_response(services.context, request_id)
    own = own_agent(me)
    if found is None or (own is not None and found.agent != own):
        raise HTTPException(404)
    language = page_language(request, me.member.language, services.config.file.default_language)
    words = Words(language)
    answers = [
        {
            "question": answer.question,
            "value": answer.value,
            "text": answer.text,
            "language": answer.language,
            "tone": _tone(answer.sentiment, words) if answer.text is not None else None,
            "status": answer.status,
            "method": answer.method,
        }
        for answer in found.answers
    ]
    context = {
        "me": me,
        "page": "responses",
        "response": found,
        "alert": words(STATE_WORDS[found.alert_state]) if found.alert_state else None,
        "answers": answers,
        "when": words.when(found.sent_at),
    }
    return render(request, "response.html", language, context)


@router.get("/responses.csv")
async def download(
    request: Request,
    services: ServicesDep,
    me: Annotated[CurrentSession, Depends(allowed(*MANAGERS))],
) -> StreamingResponse:
    """Exactly the filtered responses' answers, `sayso export`'s columns, streamed as they are read."""
    zone = services.config.settings.timezone
    chosen = chosen_filter(
        request.query_params, zone=zone, this_week=week_of(services.context.clock(), zone), agent=None
    )

    async def rows() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(ANSWER_FIELDS)
        yield buffer.getvalue()
        async for batch in answer_batches(services.context, chosen.query):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows([*row[:WHEN], plain(row[WHEN]), *row[WHEN + 1 :]] for row in batch)
            yield buffer.getvalue()

    name = f"sayso-responses-{chosen.first}-{chosen.last}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)
