"""Rendering a page (the console's, a survey's): the template, the page's language and direction, and
numbers and dates as that language writes them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.i18n import SHIPPED, Lang, lang, negotiate


class Words:
    """What templates call to say something: `_` translates (and fills %(name)s), numbers and dates
    are written as the page's language writes them."""

    def __init__(self, language: Lang) -> None:
        self.language = language

    def __call__(self, message: str, **values: object) -> str:
        text = self.language.gettext(message)
        return text % values if values else text

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self.language.ngettext(singular, plural, n) % {"n": n, **values}

    def percent(self, share: float | None, digits: int = 0) -> str:
        if share is None:
            return "—"
        return format_percent(
            share, format="#,##0" + ("." + "0" * digits if digits else "") + "%", locale=self.language.code
        )

    def number(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        return format_decimal(
            round(value, digits), format="#,##0" + ("." + "0" * digits if digits else ""), locale=self.language.code
        )

    def signed(self, value: float, digits: int = 0) -> str:
        return ("+" if value > 0 else "") + self.number(value, digits)

    def when(self, moment: datetime | None) -> str:
        return "—" if moment is None else format_datetime(moment, "medium", locale=self.language.code)


def page_language(request: Request, chosen: str | None, default: str) -> Lang:
    """The person's own choice, else `?lang=`, else the browser's Accept-Language, else the default."""
    for code in (chosen, request.query_params.get("lang")):
        if negotiate(code) == code and code:
            return lang(code)
    for part in request.headers.get("accept-language", "").split(","):
        if found := negotiate(part.split(";")[0].strip()):
            return lang(found)
    return lang(default)


class Pages:
    """The templates of one folder."""

    def __init__(self, folder: Path) -> None:
        self._environment = Environment(
            loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]), auto_reload=False
        )

    def render(
        self, request: Request, template: str, language: Lang, context: Mapping[str, Any], *, status: int = 200
    ) -> HTMLResponse:
        body = self._environment.get_template(template).render(
            {
                "request": request,
                "_": Words(language),
                "language": language,
                "languages": [lang(code) for code in SHIPPED],
                "dir": "rtl" if language.rtl else "ltr",
                **context,
            }
        )
        return HTMLResponse(body, status_code=status)
