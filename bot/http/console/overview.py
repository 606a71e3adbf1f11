"""The Overview: any week's figures, the digest's own (`DigestSender.gather` and `compose`), in the browser."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Request, Response

from bot.http.api.summary import summary
from bot.http.console import render
from bot.http.console.chart import trend_svg
from bot.http.console.deps import SessionDep, own_agent
from bot.http.deps import ServicesDep
from bot.http.pages import Words, page_language
from handlers.core.weeks import parse_week, shift, week_of
from handlers.digest.figures import Group, WeekFigures
from handlers.digest.report import (
    BEYOND_NOISE,
    COMMENTS_HEADING,
    COMPLAINTS,
    DIMENSIONS,
    FEWER_THAN,
    FOLLOW_UP,
    SCORES,
    TREND_TITLE,
    WITHIN_NOISE,
    compose,
)
from handlers.digest.statistics import Change
from handlers.explore.figures import colleagues_few
from handlers.i18n import N_, Lang, Nn_

router = APIRouter(prefix="/console", include_in_schema=False)
LABELS = {"csat": N_("CSAT (share of 4–5)"), "ces": N_("Customer effort (1–7, higher is easier)")}
NPS = "NPS"  # the same name in every language
ANSWERS = Nn_("%(n)d answer", "%(n)d answers")
RANGE = N_("95%% range %(low)s–%(high)s")
CHART_CAPTION = N_(
    "The line is the share of 4–5 answers, the shaded band its 95 percent range; the dashed line is the target."
)
TREND_WEEKS = 12
SEE_COMMENTS = N_("See these responses with their comments")
SEE_ALERTS = N_("Work the alerts")
SEE_THEMES = N_("See the suggestion themes")


@router.get("/")
async def overview(request: Request, services: ServicesDep, me: SessionDep, week: str | None = None) -> Response:
    """Every role sees the headline; an agent sees only that (breakdowns and drivers name colleagues)."""
    zone = services.config.settings.timezone
    this_week = week_of(services.context.clock(), zone)
    try:
        chosen = parse_week(week) if week else shift(this_week, -1, zone)
    except ValueError:
        chosen = shift(this_week, -1, zone)
    content = await services.digests.gather(chosen)
    language = page_language(request, me.member.language, services.config.file.default_language)
    words = Words(language)
    figures = content.figures
    agent = own_agent(me)
    headline_only = agent is not None
    if agent is not None:
        min_size = services.config.file.anonymity.min_group_size
        few = await colleagues_few(services.context, [p.week for p in figures.trend], zone, agent, min_size)
        figures = _without_colleagues_few(figures, few)
    report = compose(content, language)
    funnel, *rest = report.sections
    shown = [] if headline_only else [s for s in rest if s.heading != language.gettext(SCORES)]
    responses = f"/console/responses?from={chosen}&to={chosen}"
    drill = {  # the sections whose figures have responses or alerts behind them: one click away
        language.gettext(COMMENTS_HEADING): (f"{responses}&comment=yes", words(SEE_COMMENTS)),
        language.gettext(FOLLOW_UP): ("/console/alerts", words(SEE_ALERTS)),
        language.gettext(COMPLAINTS): ("/console/suggestions", words(SEE_THEMES)),
    }
    sections = [{"heading": s.heading, "lines": s.lines, "link": drill.get(s.heading or "")} for s in shown]
    context: dict[str, Any] = {
        "me": me,
        "page": "overview",
        "week": chosen,
        "previous": shift(chosen, -1, zone),
        "next": shift(chosen, 1, zone) if chosen < this_week else None,
        "funnel": " ".join(funnel.lines),
        "cards": _cards(figures, summary(figures), words, language),
        "responses": responses,
        "sections": sections,
        "breakdowns": [] if headline_only else _breakdowns(figures, words),
        "trend_weeks": TREND_WEEKS,
        "chart": trend_svg(
            figures.trend,
            words,
            target=services.config.file.targets.csat,
            title=words(TREND_TITLE, n=TREND_WEEKS),
        ),
        "chart_caption": words(CHART_CAPTION),
    }
    return render(request, "overview.html", language, context)


def _without_colleagues_few(figures: WeekFigures, few: dict[str, set[str]]) -> WeekFigures:
    """The team's figures as an agent may see them: not in a week whose rest of the team (the
    team's answers minus the agent's own, which they can read) is a small group, nor a change
    from such a week."""
    week, before = figures.week, figures.trend[-2].week if len(figures.trend) > 1 else None

    def hidden(survey: str, at: str | None) -> bool:
        return at in few[survey]

    changes = {
        name: None if hidden(name, week) or hidden(name, before) else change for name, change in figures.changes.items()
    }
    trend = [
        dataclasses.replace(
            point,
            csat=None if hidden("csat", point.week) else point.csat,
            nps=None if hidden("nps", point.week) else point.nps,
        )
        for point in figures.trend
    ]
    return dataclasses.replace(
        figures,
        csat=None if hidden("csat", week) else figures.csat,
        nps=None if hidden("nps", week) else figures.nps,
        ces=None if hidden("ces", week) else figures.ces,
        changes=changes,
        trend=trend,
    )


def _change(change: Change | None, words: Words, digits: int, scale: float = 1) -> str | None:
    if change is None:
        return None
    message = BEYOND_NOISE if change.significant else WITHIN_NOISE
    return words(message, delta=words.signed(change.delta * scale, digits))


def _cards(figures: WeekFigures, numbers: dict[str, Any], words: Words, language: Lang) -> list[dict[str, Any]]:
    """The three headline figures, each with the number /api/v1/summary gives as its `data-value`."""
    cards = []
    csat, nps, ces = figures.csat, figures.nps, figures.ces
    card: dict[str, Any] = {"figure": "csat", "label": words(LABELS["csat"]), "value": None, "shown": None}
    if csat is not None:
        low, high = csat.interval
        card |= {
            "value": numbers["csat"]["value"],
            "shown": words.percent(csat.value),
            "spread": words(RANGE, low=words.percent(low), high=words.percent(high)),
            "n": words.plural(*ANSWERS, csat.n),
            "change": _change(figures.changes.get("csat"), words, 0, 100),
        }
    cards.append(card)
    card = {"figure": "nps", "label": NPS, "value": None, "shown": None}
    if nps is not None:
        card |= {
            "value": numbers["nps"]["value"],
            "shown": words.signed(nps.value),
            "spread": f"± {words.number(nps.margin)}",
            "n": words.plural(*ANSWERS, nps.n),
            "change": _change(figures.changes.get("nps"), words, 0),
        }
    cards.append(card)
    card = {"figure": "ces", "label": words(LABELS["ces"]), "value": None, "shown": None}
    if ces is not None:
        margin = ces.margin
        card |= {
            "value": numbers["ces"]["value"],
            "shown": words.number(ces.value, 2),
            "spread": f"± {words.number(margin, 2)}" if margin is not None else "",
            "n": words.plural(*ANSWERS, ces.n),
            "change": _change(figures.changes.get("ces"), words, 2),
        }
    cards.append(card)
    return cards


def _breakdowns(figures: WeekFigures, words: Words) -> list[dict[str, Any]]:
    tables = []
    few = words(FEWER_THAN, min=figures.min_group_size)
    for dimension, groups in figures.breakdowns.items():
        heading, column = DIMENSIONS.get(dimension, (dimension, dimension))
        tables.append(
            {
                "heading": words(heading),
                "column": words(column),
                "dimension": dimension,
                "rows": [_row(g, words, few) for g in groups],
            }
        )
    return tables


def _row(group: Group, words: Words, few: str) -> dict[str, Any]:
    if group.n is None or group.csat is None:
        return {"name": group.name, "n": None, "few": few}
    low, high = group.csat.interval
    shown_range = words(RANGE, low=words.percent(low), high=words.percent(high))
    return {
        "name": group.name,
        "n": words.number(group.n),
        "csat": words.percent(group.csat.value),
        "range": shown_range,
    }
