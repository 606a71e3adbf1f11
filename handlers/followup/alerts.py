"""Closing the loop on low scores: alert staff, let them claim and resolve, and ask the customer after.

An alert is raised in the same transaction that stores the low answer, so no acknowledged low
score goes without one. It is posted once the survey is over (or after a short wait for the
comment), to each staff destination once, and raised again once if nobody claims it.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.broadcast import Destination, broadcast, staff_language
from handlers.core.callbacks import alert_data, check_data
from handlers.core.context import Context
from handlers.core.events import Sender
from handlers.core.ports import DeliveryFailed, Outbound
from handlers.core.replies import Ack, Option, Prompt
from handlers.i18n import N_, Lang, lang
from handlers.text.sentiment import TextVerdict
from storage.alerts import (
    AlertView,
    alert_by_id,
    alert_of_request,
    alert_view,
    alerts_between,
    alerts_to_post,
    alerts_to_raise_again,
    pending_resolution,
    raise_alert,
)
from storage.models import AlertState, SurveyRequest
from storage.requests import request_by_token
from storage.respondents import get_respondent

log = logging.getLogger(__name__)

ALERT = N_("Low score #%(id)d: %(reasons)s")
AGAIN = N_("Still unclaimed after %(hours)s hours:")
SCORES = N_("Scores: %(scores)s")
COMMENT = N_("Comment: “%(text)s”")
CONTEXT = N_("Touchpoint: %(touchpoint)s · Agent: %(agent)s · Language: %(language)s")
REACH = N_("Customer: %(who)s")
CLAIM, RESOLVE = N_("Claim"), N_("Resolve")
CLAIMED = N_("You claimed alert #%(id)d. Press Resolve when it is sorted.")
ALREADY_CLAIMED = N_("Alert #%(id)d is already claimed by a colleague.")
ALREADY_RESOLVED = N_("Alert #%(id)d is already resolved.")
UNKNOWN_ALERT = N_("This alert no longer exists.")
ASK_NOTE = N_("Alert #%(id)d: write a short note on how it was resolved (reply to this message).")
NOTE_ASKED = N_("Write your note in reply to the message the bot just sent.")
RESOLVED = N_("Alert #%(id)d is resolved. We will ask the customer whether it is sorted now.")
TELL_CUSTOMER = N_("We are sorry it did not go well. Someone from our team will get back to you.")
CHECK = N_("Our team has followed up on your feedback. Is it sorted now?")
YES, NO = N_("Yes, it is sorted"), N_("No, not yet")
CHECK_THANKS = N_("Thank you for letting us know.")
CHECK_SORRY = N_("Thank you. We are sorry it is not sorted yet; the team will see your answer.")
REASON_CSAT = "csat {}"
REASON_NPS = "nps {}"
REASON_COMMENT = "negative comment"


@dataclass(frozen=True, slots=True)
class AlertRules:
    csat_at_most: int = 2
    nps_at_most: int = 6
    sentiment_at_most: float = -0.5
    reraise_after: timedelta = timedelta(hours=4)
    settle: timedelta = timedelta(minutes=10)  # how long to wait for the comment before posting
    tell_customer: bool = True


@dataclass(frozen=True, slots=True)
class ClosedLoop:
    """A week's alerts: how many were followed up, and how fast."""

    opened: int
    claimed: int
    resolved: int
    median_hours_to_claim: float | None
    median_hours_to_resolve: float | None
    sorted_yes: int
    sorted_no: int
    unresolved: tuple[tuple[int, str], ...]  # (alert id, reasons)


def _hours(pairs: list[tuple[datetime, datetime]]) -> float | None:
    return statistics.median((end - start).total_seconds() / 3600 for start, end in pairs) if pairs else None


class FollowUp:
    def __init__(self, context: Context, rules: AlertRules, destinations: Sequence[Destination]) -> None:
        self._context = context
        self.rules = rules
        self.destinations = list(destinations)

    # -- raising, inside the answer's transaction ----------------------------------------------

    def reason(self, survey: str, question: str, value: int | str, verdict: TextVerdict | None) -> str | None:
        rules = self.rules
        if survey == "csat" and question == "overall" and isinstance(value, int) and value <= rules.csat_at_most:
            return REASON_CSAT.format(value)
        if survey == "nps" and question == "recommend" and isinstance(value, int) and value <= rules.nps_at_most:
            return REASON_NPS.format(value)
        if verdict is not None and verdict.polarity is not None and verdict.polarity <= rules.sentiment_at_most:
            return REASON_COMMENT
        return None

    async def note_answer(
        self,
        session: AsyncSession,
        request: SurveyRequest,
        question: str,
        value: int | str,
        verdict: TextVerdict | None,
    ) -> bool:
        """Raise (or add to) the request's alert if this answer is low; True when it opened one."""
        if not self.destinations or (reason := self.reason(request.survey, question, value, verdict)) is None:
            return False
        return await raise_alert(session, request_id=request.id, reason=reason, now=self._context.clock())

    # -- posting to staff ---------------------------------------------------------------------

    async def run_once(self) -> tuple[int, int]:
        """Post alerts that are ready and raise unclaimed ones again; return how many of each."""
        context, rules = self._context, self.rules
        now = context.clock()
        async with context.sessions() as session:
            fresh = await alerts_to_post(session, now=now, settle=rules.settle)
            stale = await alerts_to_raise_again(session, now=now, after=rules.reraise_after)
        for alert_id in fresh:
            await self._post(alert_id, again=False)
        for alert_id in stale:
            await self._post(alert_id, again=True)
        return len(fresh), len(stale)

    async def _post(self, alert_id: int, *, again: bool) -> None:
        async with self._context.sessions() as session:
            view = await alert_view(session, alert_id)
        if view is None:
            return

        async def post(destination: Destination, channel: Outbound) -> None:
            await channel.ask(destination.chat_id, self.alert_prompt(view, lang(destination.language), again=again))

        period = f"{'again' if again else 'alert'} {alert_id}"
        outcome = await broadcast(self._context, period, self.destinations, post)
        if all(result.startswith("failed") for result in outcome.values()):
            return  # nowhere yet: the next run tries again
        async with self._context.sessions() as session, session.begin():
            alert = await alert_by_id(session, alert_id, for_update=True)
            assert alert is not None
            now = self._context.clock()
            if again:
                alert.raised_again_at = alert.raised_again_at or now
            else:
                alert.posted_at = alert.posted_at or now

    def alert_prompt(self, view: AlertView, language: Lang, *, again: bool) -> Prompt:
        say = language.say
        lines = [say(AGAIN, hours=f"{self.rules.reraise_after.total_seconds() / 3600:g}")] if again else []
        lines.append(say(ALERT, id=view.alert.id, reasons=view.alert.reasons))
        if view.numbers:
            lines.append(say(SCORES, scores=", ".join(f"{q} {v}" for q, v in view.numbers.items())))
        lines += [say(COMMENT, text=text) for text in view.comments]
        lines.append(say(CONTEXT, touchpoint=view.touchpoint or "—", agent=view.agent or "—",
                         language=view.language or "—"))  # fmt: skip
        lines.append(say(REACH, who=_reach(view)))
        claim, resolve = language.gettext(CLAIM), language.gettext(RESOLVE)
        options = (Option(claim, claim, alert_data("c", view.alert.id)),
                   Option(resolve, resolve, alert_data("r", view.alert.id)))  # fmt: skip
        return Prompt("\n".join(lines), options, rows=(2,), rtl=language.rtl)

    def _staff_language(self, sender: Sender) -> Lang:
        return staff_language(self._context, self.destinations, sender)

    # -- staff presses and the note -------------------------------------------------------------

    async def press(self, sender: Sender, action: str, alert_id: int) -> Ack:
        language, context = self._staff_language(sender), self._context
        staff = f"{sender.platform}:{sender.user_id}"
        async with context.sessions() as session, session.begin():
            alert = await alert_by_id(session, alert_id, for_update=True)
            if alert is None:
                return Ack(language.gettext(UNKNOWN_ALERT))
            if alert.state == AlertState.RESOLVED:
                return Ack(language.say(ALREADY_RESOLVED, id=alert_id))
            now = context.clock()
            if action == "c":
                if alert.state == AlertState.CLAIMED and alert.claimed_by != staff:
                    return Ack(language.say(ALREADY_CLAIMED, id=alert_id))
                alert.state, alert.claimed_by, alert.claimed_at = AlertState.CLAIMED, staff, alert.claimed_at or now
                return Ack(language.say(CLAIMED, id=alert_id))
            alert.resolving_by = staff
            if alert.state == AlertState.OPEN:  # resolving without claiming first claims it too
                alert.state, alert.claimed_by, alert.claimed_at = AlertState.CLAIMED, staff, now
        return Ack(language.gettext(NOTE_ASKED), follow_up=lambda: self._ask_note(sender, alert_id, language))

    async def _ask_note(self, sender: Sender, alert_id: int, language: Lang) -> None:
        """In a private chat where the platform allows it (Slack), else as a message to reply to."""
        channel = self._context.channels.get(sender.platform)
        if channel is None:
            return
        chat = await channel.open_chat(sender.user_id) if channel.reaches_unknown_users else sender.chat_id
        await channel.send_text(chat, language.say(ASK_NOTE, id=alert_id))

    async def take_note(self, sender: Sender, text: str) -> Ack | None:
        """If this staff member owes a resolution note, this text is it; None otherwise."""
        context, staff = self._context, f"{sender.platform}:{sender.user_id}"
        if not self.destinations:
            return None
        async with context.sessions() as session:  # a read first: most texts are survey answers
            owed = await pending_resolution(session, staff=staff)
        if owed is None:
            return None
        async with context.sessions() as session, session.begin():
            alert = await alert_by_id(session, owed.id, for_update=True)
            if alert is None or alert.state == AlertState.RESOLVED or alert.resolving_by != staff:
                return None
            now = context.clock()
            alert.state, alert.note, alert.resolved_at = AlertState.RESOLVED, text.strip()[:2000], now
            alert.resolved_by, alert.resolving_by = alert.resolving_by, None
            alert_id = alert.id
        log.info("alert resolved", extra={"alert_id": alert_id})
        language = self._staff_language(sender)
        return Ack(language.say(RESOLVED, id=alert_id), follow_up=lambda: self._check_with_customer(alert_id))

    # -- the customer -------------------------------------------------------------------------

    def tell_customer(self, language: Lang) -> str | None:
        return language.gettext(TELL_CUSTOMER) if self.rules.tell_customer else None

    async def _check_with_customer(self, alert_id: int) -> None:
        context = self._context
        async with context.sessions() as session:
            view = await alert_view(session, alert_id)
            respondent = await get_respondent(session, platform=view.platform, user_id=view.user_id) if view else None
        channel = context.channels.get(view.platform) if view else None
        if view is None or respondent is None or channel is None or not view.chat_id or respondent.opted_out:
            return
        language = context.language_of(respondent, requested=view.language)
        yes, no = language.gettext(YES), language.gettext(NO)
        options = (Option(yes, yes, check_data(view.token, True)), Option(no, no, check_data(view.token, False)))
        try:
            await channel.ask(view.chat_id, Prompt(language.gettext(CHECK), options, rtl=language.rtl))
        except DeliveryFailed as failure:
            log.info("customer check not delivered", extra={"alert_id": alert_id, "reason": failure.reason})
            return
        async with context.sessions() as session, session.begin():
            alert = await alert_by_id(session, alert_id, for_update=True)
            assert alert is not None
            alert.check_sent_at = context.clock()

    async def check_answer(self, sender: Sender, token: str, is_sorted: bool) -> Ack | None:
        """The customer's "Is it sorted now?"; None if the button is not theirs (reported as invalid)."""
        context = self._context
        async with context.sessions() as session, session.begin():
            request = await request_by_token(session, token=token)
            respondent = await get_respondent(session, platform=sender.platform, user_id=sender.user_id)
            if request is None or respondent is None or request.respondent_id != respondent.id:
                return None
            alert = await alert_of_request(session, request.id, for_update=True)
            if alert is None or alert.check_sent_at is None:
                return None
            alert.sorted, alert.checked_at = is_sorted, context.clock()
        language = context.language_of(respondent, requested=request.language)
        return Ack(language.gettext(CHECK_THANKS if is_sorted else CHECK_SORRY))

    # -- figures for the digest -------------------------------------------------------------

    async def closed_loop(self, start: datetime, end: datetime) -> ClosedLoop:
        async with self._context.sessions() as session:
            alerts = await alerts_between(session, start=start, end=end)
        claimed = [(a.created_at, a.claimed_at) for a in alerts if a.claimed_at]
        resolved = [(a.created_at, a.resolved_at) for a in alerts if a.resolved_at]
        return ClosedLoop(
            opened=len(alerts),
            claimed=len(claimed),
            resolved=len(resolved),
            median_hours_to_claim=_hours(claimed),
            median_hours_to_resolve=_hours(resolved),
            sorted_yes=sum(1 for a in alerts if a.sorted is True),
            sorted_no=sum(1 for a in alerts if a.sorted is False),
            unresolved=tuple((a.id, a.reasons) for a in alerts if a.state != AlertState.RESOLVED),
        )


def _reach(view: AlertView) -> str:
    """A handle staff can use to contact the customer on the platform."""
    if view.platform == "telegram":
        return f"tg://user?id={view.user_id}"
    if view.platform == "slack":
        return f"<@{view.user_id}>"
    return f"{view.platform} {view.user_id}"
