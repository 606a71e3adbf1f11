"""The week's digest in the terminal (`sayso digest --preview`): the chat report, plus what only fits a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from handlers.digest.figures import WeekFigures
from handlers.digest.report import DigestContent, compose
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
        _print_details(content.figures, console)


def _spark(values: list[float | None]) -> str:
    return "".join(" " if v is None else _SPARK[min(7, int(v * 8))] for v in values)


def _print_details(figures: WeekFigures, console: Console) -> None:
    trend = [p.csat.value if p.csat else None for p in figures.trend]
    console.print(f"\nCSAT, last {len(trend)} weeks: {_spark(trend)}")
    for dimension, groups in figures.breakdowns.items():
        table = Table(dimension, "n", "CSAT", title=f"By {dimension}")
        for group in groups:
            shown = f"{group.csat.value:.0%}" if group.csat else f"fewer than {figures.min_group_size}"
            table.add_row(group.name, str(group.n) if group.n is not None else "—", shown)
        if groups:
            console.print(table)
