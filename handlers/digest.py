"""The weekly digest: rendered in each destination's language and sent once per week and destination."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from handlers.engine import Engine
from handlers.i18n import N_, Lang, lang
from handlers.ports import DeliveryFailed
from handlers.weekly import WeekFigures, WeeklyFigures
from storage.digests import claim_delivery, finish_delivery

log = logging.getLogger(__name__)
# Slack's section limit (3000) is the smaller of the two platforms' message limits (Telegram: 4096).
MAX_CHARS = 3000
LEASE = timedelta(minutes=10)

TITLE = N_("Customer feedback, week %(week)s")
FUNNEL = N_("%(sent)d surveys sent, %(answered)d answered (%(rate)s), %(completed)d completed.")
EMPTY = N_("No responses this week.")
CSAT = N_("CSAT (share of 4–5): %(value)s, 95%% range %(low)s–%(high)s, %(n)d answers.")
NPS = N_("NPS: %(value)s ± %(margin)s, %(n)d answers.")
CES = N_("Customer effort (1–7, higher is easier): %(value)s, %(n)d answers.")
BEYOND_NOISE = N_("Change from last week: %(delta)s, beyond the noise.")
WITHIN_NOISE = N_("Change from last week: %(delta)s, within the noise.")
TARGET = N_("Target for %(name)s (%(target)s): %(status)s.")
STATUS = {"met": N_("met"), "missed": N_("missed"), "not measurable": N_("not measurable")}
DRIVERS = N_("What drives satisfaction most: %(drivers)s.")
NO_DRIVERS = N_("Not enough complete answers yet to tell what drives satisfaction (%(n)d of %(needed)d).")
COMMENTS = N_("Comments: %(count)d, %(positive)d positive and %(negative)d negative; %(unscored)d not scored.")


@dataclass(frozen=True, slots=True)
class Destination:
    platform: str
    chat_id: str
    language: str = "en"

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.chat_id}"


def render(figures: WeekFigures, language: Lang) -> list[str]:
    """The digest as paragraphs of plain text (every platform shows plain text faithfully)."""
    say = language.say
    rate = f"{figures.response_rate:.0%}" if figures.response_rate is not None else "—"
    funnel = say(FUNNEL, sent=figures.sent, answered=figures.answered, rate=rate, completed=figures.completed)
    parts = [say(TITLE, week=figures.week), funnel]
    if figures.empty:
        return [*parts, say(EMPTY)]
    if figures.csat:
        low, high = figures.csat.interval
        lines = [say(CSAT, value=f"{figures.csat.value:.0%}", low=f"{low:.0%}", high=f"{high:.0%}", n=figures.csat.n)]
        if change := figures.changes.get("csat"):
            lines.append(say(BEYOND_NOISE if change.significant else WITHIN_NOISE, delta=f"{change.delta * 100:+.0f}"))
        parts.append("\n".join(lines))
    if figures.nps:
        parts.append(say(NPS, value=f"{figures.nps.value:+.0f}", margin=f"{figures.nps.margin:.0f}", n=figures.nps.n))
    if figures.ces:
        parts.append(say(CES, value=f"{figures.ces.value:.2f}", n=figures.ces.n))
    if figures.targets:
        parts.append("\n".join(
            say(TARGET, name=t.name.upper(), target=f"{t.target:g}", status=language.gettext(STATUS[t.status]))
            for t in figures.targets
        ))  # fmt: skip
    analysis = figures.drivers
    if analysis.reliable:
        names = ", ".join(f"{d.attribute} ({d.importance:.2f})" for d in analysis.drivers)
        parts.append(say(DRIVERS, drivers=names))
    else:
        parts.append(say(NO_DRIVERS, n=analysis.n, needed=analysis.needed))
    tone = figures.tone
    parts.append(say(COMMENTS, count=tone.comments, positive=tone.positive, negative=tone.negative,
                     unscored=tone.comments - tone.scored))  # fmt: skip
    return parts


def split(parts: list[str], limit: int = MAX_CHARS) -> list[str]:
    """Join paragraphs into messages of at most `limit` characters, breaking only between paragraphs."""
    messages: list[str] = []
    for part in parts:
        part = part[:limit]
        if messages and len(messages[-1]) + 2 + len(part) <= limit:
            messages[-1] += "\n\n" + part
        else:
            messages.append(part)
    return messages


class DigestSender:
    def __init__(self, engine: Engine, weekly: WeeklyFigures, destinations: list[Destination]) -> None:
        self._engine = engine
        self._weekly = weekly
        self.destinations = destinations

    async def send(self, week: str, *, force: bool = False) -> dict[str, str]:
        """Send `week`'s digest to every destination that has not had it; return what happened to each."""
        outcome: dict[str, str] = {}
        figures: WeekFigures | None = None
        for destination in self.destinations:
            now = self._engine.clock()
            async with self._engine.sessions() as session, session.begin():
                mine = await claim_delivery(session, period=week, destination=destination.key, now=now,
                                            lease=LEASE, force=force)  # fmt: skip
            if not mine:
                outcome[destination.key] = "already sent"
                continue
            figures = figures or await self._weekly.build(week)
            outcome[destination.key] = await self._deliver(week, destination, figures)
        return outcome

    async def _deliver(self, week: str, destination: Destination, figures: WeekFigures) -> str:
        channel = self._engine.channels.get(destination.platform)
        error = None
        if channel is None:
            error = f"{destination.platform} is not configured"
        else:
            try:
                for message in split(render(figures, lang(destination.language))):
                    await channel.send_text(destination.chat_id, message)
            except DeliveryFailed as failure:
                error = failure.reason
        async with self._engine.sessions() as session, session.begin():
            await finish_delivery(session, period=week, destination=destination.key, now=self._engine.clock(),
                                  error=error)  # fmt: skip
        if error:
            log.warning("digest not delivered", extra={"destination": destination.key, "reason": error})
            return f"failed: {error}"
        return "sent"
