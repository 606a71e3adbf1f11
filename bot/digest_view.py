"""The week's figures in the terminal (`sayso digest --preview`)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from handlers.digest.figures import WeekFigures
from handlers.digest.report import ACT_IMPORTANCE, ACT_PERFORMANCE, DigestContent, attribute_name
from handlers.digest.statistics import Change
from handlers.i18n import lang

_SPARK = "▁▂▃▄▅▆▇█"


def _change(change: Change | None, scale: float = 1, unit: str = "") -> str:
    if change is None:
        return "—"
    verdict = "beyond noise" if change.significant else "within noise"
    return f"{change.delta * scale:+.1f}{unit} ({verdict}, ±{change.noise * scale:.1f})"


def _spark(values: list[float | None]) -> str:
    return "".join(" " if v is None else _SPARK[min(7, int(v * 8))] for v in values)


def print_digest(content: DigestContent, console: Console) -> None:
    print_week(content.figures, console)
    if content.figures.empty:
        return
    if content.staff is not None:
        staff = f"{content.staff.median:.0f}%" if content.staff.median is not None else "not shown (too few)"
        customers = f"{content.figures.csat.value:.0%}" if content.figures.csat else "—"
        console.print(f"Staff estimate of CSAT: {staff} from {content.staff.n} answers; customers said {customers}")
    if content.complaints:
        console.print("[bold]Repeated in the suggestion box[/bold]")
        for theme in content.complaints:
            count = theme.count if theme.count is not None else f"fewer than {content.figures.min_group_size}"
            console.print(f"  {theme.label}: {count}")
            for quote in theme.quotes:
                console.print(f"    “{quote}”")


def print_week(figures: WeekFigures, console: Console) -> None:
    rate = f"{figures.response_rate:.0%}" if figures.response_rate is not None else "—"
    console.print(f"[bold]Customer feedback, {figures.week}[/bold]: {figures.sent} surveys sent, "
                  f"{figures.answered} answered ({rate}), {figures.completed} completed")  # fmt: skip
    if figures.empty:
        console.print("No responses this week.")
        return
    scores = Table("measure", "value", "95% range", "vs last week", "n", title="Scores")
    if figures.csat:
        low, high = figures.csat.interval
        scores.add_row("CSAT (share of 4–5)", f"{figures.csat.value:.0%}", f"{low:.0%}–{high:.0%}",
                       _change(figures.changes["csat"], 100, " pts"), str(figures.csat.n))  # fmt: skip
    if figures.nps:
        scores.add_row("NPS", f"{figures.nps.value:+.0f}", f"±{figures.nps.margin:.0f}",
                       _change(figures.changes["nps"]), str(figures.nps.n))  # fmt: skip
    if figures.ces:
        margin = figures.ces.margin
        scores.add_row("CES (1–7, higher is easier)", f"{figures.ces.value:.2f}",
                       f"±{margin:.2f}" if margin is not None else "—", _change(figures.changes["ces"]),
                       str(figures.ces.n))  # fmt: skip
    for name, mean in figures.attributes.items():
        scores.add_row(f"  {name} (mean 1–5)", f"{mean.value:.2f}", "", "", str(mean.n))
    console.print(scores)
    if figures.targets:
        console.print("Targets: " + ", ".join(f"{t.name} {t.target:g} → {t.status}" for t in figures.targets))
    trend = [p.csat.value if p.csat else None for p in figures.trend]
    console.print(f"CSAT, last {len(trend)} weeks: {_spark(trend)}")
    drivers = Table("attribute", "importance", "performance", "where to act", title="What drives satisfaction")
    analysis = figures.drivers
    for driver in analysis.drivers:
        act = driver.importance >= ACT_IMPORTANCE and driver.performance < ACT_PERFORMANCE
        name = attribute_name(driver.attribute, lang("en"))
        advice = "fix first" if act else "keep up"
        drivers.add_row(name, f"{driver.importance:.2f}", f"{driver.performance:.2f}", advice)
    if analysis.reliable:
        console.print(drivers)
    else:
        console.print(f"Drivers: {analysis.n} complete responses, {analysis.needed} needed for a reliable estimate.")
    for dimension, groups in figures.breakdowns.items():
        table = Table(dimension, "n", "CSAT", title=f"By {dimension}")
        for group in groups:
            shown = f"{group.csat.value:.0%}" if group.csat else f"fewer than {figures.min_group_size}"
            table.add_row(group.name, str(group.n) if group.n is not None else "—", shown)
        if groups:
            console.print(table)
    tone = figures.tone
    console.print(f"Comments: {tone.comments} ({tone.positive} positive, {tone.negative} negative of "
                  f"{tone.scored} scored; {tone.comments - tone.scored} in other languages, not scored)")  # fmt: skip
    for comment in figures.comments:
        console.print(f"  “{comment}”")
