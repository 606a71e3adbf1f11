"""The perception poll: staff guess the week's CSAT before the digest tells them.

Posted to the digest destinations near the end of the week; each person answers once, and what
they answered is stored apart from the fact that they answered, so no colleague (and no one
reading the database) can tell whose estimate is whose. The poll closes when the week's digest
goes out, which shows the staff median beside the customers' figure.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.core.broadcast import Destination, Outcome, broadcast, destination_of, staff_language
from handlers.core.callbacks import poll_data
from handlers.core.context import Context
from handlers.core.events import Sender
from handlers.core.ports import Outbound
from handlers.core.replies import Ack, Option, Prompt
from handlers.i18n import N_, Lang, lang
from storage.broadcast_ledger import was_posted
from storage.staff_poll import add_estimate, digest_sent, estimates_of

QUESTION = N_("Staff poll, week %(week)s (anonymous): what share of customers do you think rated us 4 or 5 this week?")
HINT = N_("Answers are anonymous; the digest shows the staff median beside what customers said.")
THANKS = N_("Thank you. Your estimate is recorded anonymously.")
ALREADY = N_("You have already answered this week's poll.")
CLOSED = N_("This poll has closed: the week's figures are out.")
NOT_A_POLL = N_("There is no staff poll here for that week, so nothing was recorded.")
STEPS = tuple(range(0, 101, 10))
POLL_PERIOD = "poll {}"


@dataclass(frozen=True, slots=True)
class StaffEstimate:
    n: int
    median: float | None  # None when fewer than min_group_size answered


def voter_key(week: str, sender: Sender) -> str:
    """Enough to refuse a second vote; it is never stored next to the estimate."""
    return hashlib.sha256(f"{week}|{sender.platform}|{sender.user_id}".encode()).hexdigest()


def poll_prompt(week: str, language: Lang) -> Prompt:
    options = tuple(Option(f"{p}%", f"{p}%", poll_data(week, p)) for p in STEPS)
    return Prompt(
        language.say(QUESTION, week=week), options, rows=(6, 5), hint=language.gettext(HINT), rtl=language.rtl
    )


class StaffPoll:
    def __init__(self, context: Context, destinations: Sequence[Destination], *, min_group_size: int) -> None:
        self._context = context
        self.destinations = list(destinations)
        self._min = min_group_size

    async def post(self, week: str) -> dict[str, Outcome]:
        async def ask(destination: Destination, channel: Outbound) -> None:
            await channel.ask(destination.chat_id, poll_prompt(week, lang(destination.language)))

        return await broadcast(self._context, POLL_PERIOD.format(week), self.destinations, ask)

    async def vote(self, sender: Sender, week: str, percent: int) -> Ack:
        language = staff_language(self._context, self.destinations, sender)
        # Votes count only as pressed under a poll that was posted to this staff chat: crafted
        # callback data in a customer's private chat, or for a week with no poll, casts nothing.
        here = destination_of(self.destinations, sender)
        if here is None or percent not in STEPS:
            return Ack(language.gettext(NOT_A_POLL))
        async with self._context.sessions() as session, session.begin():
            if not await was_posted(session, key=POLL_PERIOD.format(week), destination=here.key):
                return Ack(language.gettext(NOT_A_POLL))
            if await digest_sent(session, period=week):
                return Ack(language.gettext(CLOSED))
            fresh = await add_estimate(session, period=week, voter=voter_key(week, sender), estimate=percent)
        return Ack(language.gettext(THANKS if fresh else ALREADY))

    async def estimate(self, week: str) -> StaffEstimate:
        async with self._context.reads() as session:
            values = await estimates_of(session, period=week)
        shown = len(values) >= self._min
        return StaffEstimate(len(values), statistics.median(values) if shown else None)
