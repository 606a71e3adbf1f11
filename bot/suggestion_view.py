"""The suggestion report in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from handlers.suggestions.report import SuggestionReport


def _count(count: int | None, threshold: int) -> str:
    return str(count) if count is not None else f"fewer than {threshold}"


def print_report(report: SuggestionReport, console: Console) -> None:
    threshold = report.min_group_size
    console.print(
        f"[bold]Suggestion box[/bold], {report.weeks[0]} – {report.weeks[-1]}: "
        f"{_count(report.total, threshold)} suggestions"
    )
    themes = Table("theme", "suggestions", "repeated", "in their words", title="Themes")
    for theme in report.themes:
        themes.add_row(
            theme.label or "—",
            _count(theme.count, threshold),
            "yes" if theme.repeated else "",
            "\n".join(f"“{quote}”" for quote in theme.quotes),
        )
    console.print(themes if report.themes else "No themes yet: too few suggestions share words.")
    for breakdown in report.breakdowns:
        table = Table(breakdown.by, "suggestions", title=f"By {breakdown.by.replace('_', ' ')}")
        for key, count in breakdown.rows:
            table.add_row(key, _count(count, threshold))
        console.print(table)
