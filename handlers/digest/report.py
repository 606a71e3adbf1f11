"""The digest as a report: the week's figures in a destination's language, section by section."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.replies import Report, Section
from handlers.digest.figures import WeekFigures
from handlers.digest.staff_poll import StaffEstimate
from handlers.followup.closed_loop import ClosedLoop
from handlers.i18n import N_, Lang, Nn_
from handlers.suggestions.report import ThemeSummary

TITLE = N_("Customer feedback, week %(week)s")
FUNNEL = Nn_(
    "%(sent)d survey sent, %(answered)d answered (%(rate)s), %(completed)d completed.",
    "%(sent)d surveys sent, %(answered)d answered (%(rate)s), %(completed)d completed.",
)
EMPTY = N_("No responses this week.")
SCORES = N_("Scores")
CSAT = N_("CSAT (share of 4–5): %(value)s, 95%% range %(low)s–%(high)s, %(n)d answers.")
NPS = N_("NPS: %(value)s ± %(margin)s, %(n)d answers.")
CES = N_("Customer effort (1–7, higher is easier): %(value)s, %(n)d answers.")
BEYOND_NOISE = N_("Change from last week: %(delta)s, beyond the noise.")
WITHIN_NOISE = N_("Change from last week: %(delta)s, within the noise.")
ATTRIBUTE = N_("%(name)s: %(value)s of 5 (%(n)d answers)")
TARGETS = N_("Targets")
TARGET = N_("Target for %(name)s (%(target)s): %(status)s.")
STATUS = {"met": N_("met"), "missed": N_("missed"), "not measurable": N_("not measurable")}
PERCEPTION = N_("How staff see it")
PERCEPTION_GAP = N_("Staff estimated %(staff)s satisfied (median of %(n)d answers); customers said %(customers)s.")
PERCEPTION_FEW = N_("Fewer than %(min)d staff answered the poll, so their estimate is not shown.")
DRIVERS = N_("What drives satisfaction")
DRIVER = N_("%(name)s: importance %(importance)s, rated %(performance)s of 5, %(advice)s")
FIX_FIRST = N_("fix first")
KEEP_UP = N_("keep it up")
NO_DRIVERS = N_("Not enough complete answers yet to tell what drives satisfaction (%(n)d of %(needed)d).")
COMMENTS_HEADING = N_("Comments")
COMMENTS = N_("Comments: %(count)d, %(positive)d positive and %(negative)d negative; %(unscored)d not scored.")
COMPLAINTS = N_("Repeated in the suggestion box")
COMPLAINT = N_("%(theme)s: %(count)s suggestions")
FEWER_THAN = N_("fewer than %(min)d")
FOLLOW_UP = N_("Following up low scores")
LOOP = N_("Alerts: %(opened)d opened, %(claimed)d claimed, %(resolved)d resolved.")
LOOP_TIMES = N_("Median time to claim: %(claim)s h; to resolve: %(resolve)s h.")
LOOP_CHECK = N_("Customers asked afterwards: %(yes)d said it is sorted, %(no)d said not yet.")
LOOP_OPEN = N_("Unresolved: %(alerts)s")
RESPOND_HINT = N_("Tell people what you did about it: sayso suggestions respond --theme … --text …")
TREND_TITLE = N_("CSAT, last %(n)d weeks")
# Each breakdown's heading and column, for the views that show them as tables (console, terminal).
DIMENSIONS = {
    "touchpoint": (N_("By touchpoint"), N_("Touchpoint")),
    "agent": (N_("By agent"), N_("Agent")),
    "platform": (N_("By platform"), N_("Platform")),
    "language": (N_("By language"), N_("Language")),
}
ATTRIBUTE_NAMES = {"speed": N_("Speed of response"), "attitude": N_("Staff attitude"), "solution": N_("Solution")}
# A driver that matters this much and is rated below this is where effort pays first.
ACT_IMPORTANCE, ACT_PERFORMANCE = 0.25, 4.0


@dataclass(frozen=True, slots=True)
class DigestContent:
    """Everything one week's digest shows."""

    figures: WeekFigures
    staff: StaffEstimate | None = None
    complaints: tuple[ThemeSummary, ...] = ()
    closed_loop: ClosedLoop | None = None


def attribute_name(attribute: str, language: Lang) -> str:
    known = ATTRIBUTE_NAMES.get(attribute)
    return language.gettext(known) if known else attribute


def compose(content: DigestContent, language: Lang) -> Report:
    figures, say = content.figures, language.say
    rate = f"{figures.response_rate:.0%}" if figures.response_rate is not None else "—"
    counts = {"sent": figures.sent, "answered": figures.answered, "rate": rate, "completed": figures.completed}
    funnel = language.directional(language.ngettext(*FUNNEL, figures.sent) % counts)
    title = say(TITLE, week=figures.week)
    if figures.empty:
        return Report(title, (Section(None, (funnel, say(EMPTY))),), rtl=language.rtl)
    sections = [
        Section(None, (funnel,)),
        Section(language.gettext(SCORES), _scores(figures, language)),
    ]
    if figures.targets:
        lines = tuple(
            say(TARGET, name=t.name.upper(), target=f"{t.target:g}", status=language.gettext(STATUS[t.status]))
            for t in figures.targets
        )
        sections.append(Section(language.gettext(TARGETS), lines))
    if content.staff is not None:
        sections.append(Section(language.gettext(PERCEPTION), (_perception(content.staff, figures, language),)))
    sections.append(Section(language.gettext(DRIVERS), _drivers(figures, language)))
    tone = figures.tone
    comments = say(
        COMMENTS,
        count=tone.comments,
        positive=tone.positive,
        negative=tone.negative,
        unscored=tone.comments - tone.scored,
    )
    quotes = tuple(f"“{comment}”" for comment in figures.comments)
    sections.append(Section(language.gettext(COMMENTS_HEADING), (comments, *quotes)))
    if content.closed_loop is not None:
        sections.append(Section(language.gettext(FOLLOW_UP), _closed_loop(content.closed_loop, language)))
    if content.complaints:
        sections.append(Section(language.gettext(COMPLAINTS), _complaints(content.complaints, figures, language)))
    return Report(title, tuple(sections), rtl=language.rtl)


def _scores(figures: WeekFigures, language: Lang) -> tuple[str, ...]:
    say, lines = language.say, []
    if figures.csat:
        low, high = figures.csat.interval
        lines.append(
            say(CSAT, value=f"{figures.csat.value:.0%}", low=f"{low:.0%}", high=f"{high:.0%}", n=figures.csat.n)
        )
        if change := figures.changes.get("csat"):
            lines.append(say(BEYOND_NOISE if change.significant else WITHIN_NOISE, delta=f"{change.delta * 100:+.0f}"))
    if figures.nps:
        lines.append(say(NPS, value=f"{figures.nps.value:+.0f}", margin=f"{figures.nps.margin:.0f}", n=figures.nps.n))
    if figures.ces:
        lines.append(say(CES, value=f"{figures.ces.value:.2f}", n=figures.ces.n))
    for name, mean in figures.attributes.items():
        lines.append(say(ATTRIBUTE, name=attribute_name(name, language), value=f"{mean.value:.2f}", n=mean.n))
    return tuple(lines)


def _perception(staff: StaffEstimate, figures: WeekFigures, language: Lang) -> str:
    if staff.median is None:
        return language.say(PERCEPTION_FEW, min=figures.min_group_size)
    customers = f"{figures.csat.value:.0%}" if figures.csat else "—"
    return language.say(PERCEPTION_GAP, staff=f"{staff.median:.0f}%", n=staff.n, customers=customers)


def _drivers(figures: WeekFigures, language: Lang) -> tuple[str, ...]:
    analysis = figures.drivers
    if not analysis.reliable:
        return (language.say(NO_DRIVERS, n=analysis.n, needed=analysis.needed),)
    lines = []
    for driver in sorted(analysis.drivers, key=lambda d: -d.importance):
        act = driver.importance >= ACT_IMPORTANCE and driver.performance < ACT_PERFORMANCE
        lines.append(
            language.say(
                DRIVER,
                name=attribute_name(driver.attribute, language),
                importance=f"{driver.importance:.2f}",
                performance=f"{driver.performance:.1f}",
                advice=language.gettext(FIX_FIRST if act else KEEP_UP),
            )
        )
    return tuple(lines)


def _complaints(themes: tuple[ThemeSummary, ...], figures: WeekFigures, language: Lang) -> tuple[str, ...]:
    lines = []
    for theme in themes:
        count = str(theme.count) if theme.count is not None else language.say(FEWER_THAN, min=figures.min_group_size)
        lines.append(language.say(COMPLAINT, theme=theme.label or "", count=count))
        lines.extend(f"  “{quote}”" for quote in theme.quotes)
    lines.append(language.gettext(RESPOND_HINT))
    return tuple(lines)


def _closed_loop(loop: ClosedLoop, language: Lang) -> tuple[str, ...]:
    say = language.say
    lines = [say(LOOP, opened=loop.opened, claimed=loop.claimed, resolved=loop.resolved)]
    if loop.median_hours_to_claim is not None:
        resolve = f"{loop.median_hours_to_resolve:.1f}" if loop.median_hours_to_resolve is not None else "—"
        lines.append(say(LOOP_TIMES, claim=f"{loop.median_hours_to_claim:.1f}", resolve=resolve))
    if loop.sorted_yes or loop.sorted_no:
        lines.append(say(LOOP_CHECK, yes=loop.sorted_yes, no=loop.sorted_no))
    if loop.unresolved:
        lines.append(say(LOOP_OPEN, alerts=", ".join(f"#{i} ({reasons})" for i, reasons in loop.unresolved)))
    return tuple(lines)
