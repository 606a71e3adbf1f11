"""The week's digest in the terminal (`sayso digest --preview`): the chat report, plus what only fits a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from handlers.digest.figures import WeekFigures
from handlers.digest.report import DIMENSIONS, FEWER_THAN, TREND_TITLE, DigestContent, compose
from handlers.i18n import Lang

_SPARK = "▁▂▃▄▅▆▇█"


def print_digest(content: DigestContent, language: Lang, console: Console) -> None:
    """The same report staff get in chat, then the trend as a sparkline and the breakdown tables."""
    report = compose(content, language)
    console.print(f"[bold]{escape(report.title)}[/bold]")
    for section in report.sections:
        if section.heading:
            console.print(f"\n[bold]{escape(section.heading)}[/bold]")
        for line in section.lines:
            console.print(escape(line))
    if not content.figures.empty:
        _print_details(content.figures, language, console)


def _spark(values: list[float | None]) -> str:
    return "".join(" " if v is None else _SPARK[min(7, int(v * 8))] for v in values)


def _print_details(figures: WeekFigures, language: Lang, console: Console) -> None:
    trend = [p.csat.value if p.csat else None for p in figures.trend]
    title = language.gettext(TREND_TITLE) % {"n": len(trend)}
    console.print(f"\n{escape(title)}: {_spark(trend)}")
    few = language.gettext(FEWER_THAN) % {"min": figures.min_group_size}
    for dimension, groups in figures.breakdowns.items():
        heading, column = (language.gettext(name) for name in DIMENSIONS.get(dimension, (dimension, dimension)))
        table = Table(column, "n", "CSAT", title=heading)
        for group in groups:
            shown = f"{group.csat.value:.0%}" if group.csat else few
            table.add_row(group.name, str(group.n) if group.n is not None else "—", shown)
        if groups:
            console.print(table)
