"""Suggestions: the themes of the last weeks under the small-group rules, repeated complaints,
and "you said, we did" (`sayso suggestions respond`), from a desk. Counts are coarse (`coarse`):
no window beside another reveals a number; quotes only in themes of at least N suggestions."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from bot.http.console import render
from bot.http.console.deps import MANAGERS, TEAM, allowed, checked_form
from bot.http.deps import ServicesDep
from bot.http.pages import Words, page_language
from bot.wiring import complaint_rules
from handlers.core.weeks import weeks_ending
from handlers.digest.report import FEWER_THAN
from handlers.explore.privacy import coarse
from handlers.i18n import N_
from handlers.staff.sessions import CurrentSession
from handlers.suggestions.report import UnknownTheme, build_report, respond_to_theme

router = APIRouter(prefix="/console", include_in_schema=False)
WINDOWS = (4, 8, 12)
AT_LEAST = N_("%(n)s or more")
BY = {"language": N_("By language"), "channel": N_("By channel"), "iso_week": N_("By week")}
RESPONDED = N_("Recorded. The next invitation to the suggestion box tells people what was done.")
UNKNOWN = N_("That theme is not in the latest report; reload the page and try again.")


def _count(count: int | None, words: Words, min_size: int) -> str:
    shown = coarse(count, min_size)
    return words(FEWER_THAN, min=min_size) if shown is None else words(AT_LEAST, n=words.number(shown))


@router.get("/suggestions")
async def suggestions(
    request: Request,
    services: ServicesDep,
    me: Annotated[CurrentSession, Depends(allowed(*TEAM))],
    weeks: int = 0,
) -> Response:
    config = services.config
    windows = sorted({*WINDOWS, config.file.suggestions.theme_weeks})
    span = weeks if weeks in windows else config.file.suggestions.theme_weeks
    chosen = weeks_ending(services.context.clock(), span, config.settings.timezone)
    rules = complaint_rules(config).rules
    report = await build_report(services.context, weeks=chosen, rules=rules)
    language = page_language(request, me.member.language, config.file.default_language)
    words = Words(language)
    n = report.min_group_size
    said = request.query_params.get("said")
    context = {
        "me": me,
        "page": "suggestions",
        "span": span,
        "windows": windows,
        "first": chosen[0],
        "last": chosen[-1],
        "total": _count(report.total, words, n),
        "themes": [
            {"label": t.label, "count": _count(t.count, words, n), "repeated": t.repeated, "quotes": t.quotes}
            for t in report.themes
        ],
        "breakdowns": [
            {"heading": words(BY[b.by]), "rows": [(key, _count(count, words, n)) for key, count in b.rows]}
            for b in report.breakdowns
        ],
        "responds": me.member.role in MANAGERS,
        "said": words(RESPONDED) if said == "ok" else words(UNKNOWN) if said == "unknown" else None,
    }
    return render(request, "suggestions.html", language, context)


@router.post("/suggestions/respond")
async def respond(
    services: ServicesDep,
    me: Annotated[CurrentSession, Depends(allowed(*MANAGERS))],
    _checked: Annotated[CurrentSession, Depends(checked_form)],
    theme: Annotated[str, Form(max_length=200)],
    text: Annotated[str, Form(max_length=500)],
    weeks: Annotated[int, Form()] = 0,
) -> RedirectResponse:
    said = "unknown"  # an empty answer is refused like an unknown theme: nothing is recorded
    if text.strip():
        with contextlib.suppress(UnknownTheme):
            await respond_to_theme(services.context, theme=theme.strip(), text=text.strip())
            said = "ok"
    return RedirectResponse(f"/console/suggestions?weeks={weeks}&said={said}", status_code=303)
