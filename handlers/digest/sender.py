"""The weekly digest: gathered once, rendered in each destination's language, sent once per week and destination."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.broadcast import Destination, Outcome, broadcast
from handlers.core.context import Context
from handlers.core.outbox import EventType
from handlers.core.ports import Outbound
from handlers.core.weeks import week_bounds, weeks_up_to
from handlers.digest.chart import chart_png
from handlers.digest.figures import WeekFigures, WeeklyFigures
from handlers.digest.report import DigestContent, compose
from handlers.digest.rules import ComplaintRules
from handlers.digest.staff_poll import StaffPoll
from handlers.followup.alerts import FollowUp
from handlers.followup.closed_loop import closed_loop
from handlers.i18n import lang
from handlers.suggestions.report import ThemeSummary, build_report


class DigestSender:
    def __init__(
        self,
        context: Context,
        weekly: WeeklyFigures,
        destinations: Sequence[Destination],
        *,
        poll: StaffPoll | None = None,
        complaints: ComplaintRules | None = None,
        csat_target: float | None = None,
        followup: FollowUp | None = None,
    ) -> None:
        self._context = context
        self._weekly = weekly
        self.destinations = list(destinations)
        self._poll = poll
        self._complaints = complaints
        self._target = csat_target
        self._followup = followup

    async def gather(self, week: str) -> DigestContent:
        """Everything the week's digest shows, computed once for all destinations."""
        figures = await self._weekly.build(week)
        staff = await self._poll.estimate(week) if self._poll else None
        themes: tuple[ThemeSummary, ...] = ()
        if self._complaints:
            zone = self._weekly.timezone
            weeks = weeks_up_to(week, self._complaints.weeks, zone)
            report = await build_report(self._context, weeks=weeks, rules=self._complaints.rules)
            themes = report.repeated
        loop = None
        if self._followup and self._followup.destinations:
            loop = await closed_loop(self._context, *week_bounds(week, self._weekly.timezone))
        return DigestContent(figures, staff if staff and staff.n else None, themes, loop)

    async def chart(self, content: DigestContent, language: str) -> bytes:
        return await asyncio.to_thread(chart_png, content.figures, lang(language), target=self._target)

    async def send(self, week: str, *, force: bool = False) -> dict[str, Outcome]:
        """Send `week`'s digest to every destination that has not had it; return what happened to each."""
        gathered: list[DigestContent] = []  # computed once, and only if some destination still needs it
        charts: dict[str, bytes] = {}  # one drawing per language

        async def post(destination: Destination, channel: Outbound) -> None:
            if not gathered:
                gathered.append(await self.gather(week))
            content, code = gathered[0], destination.language
            report = compose(content, lang(code))
            await channel.send_report(destination.chat_id, report)
            if not content.figures.empty:
                if code not in charts:
                    charts[code] = await self.chart(content, code)
                await channel.send_image(destination.chat_id, charts[code], report.title)

        async def emit(session: AsyncSession) -> None:
            if gathered and self._context.outbox.enabled:
                data = digest_sent(week, gathered[0].figures)
                await self._context.outbox.emit(session, EventType.DIGEST_SENT, data, now=self._context.clock())

        return await broadcast(self._context, week, self.destinations, post, force=force, on_first_delivery=emit)


def digest_sent(week: str, figures: WeekFigures) -> dict[str, object]:
    """The `digest.sent` event's data: the week and its headline figures with their uncertainty
    (CSAT: the share of 4–5 and its 95% Wilson interval; NPS and CES: the 95% margin)."""
    csat, nps, ces = figures.csat, figures.nps, figures.ces
    return {
        "week": week,
        "sent": figures.sent,
        "answered": figures.answered,
        "completed": figures.completed,
        "csat": {"value": csat.value, "interval": list(csat.interval), "n": csat.n} if csat else None,
        "nps": {"value": nps.value, "margin": nps.margin, "n": nps.n} if nps else None,
        "ces": {"value": ces.value, "margin": ces.margin, "n": ces.n} if ces else None,
    }
