"""Closing the loop on low scores: alert staff, let them claim and resolve, and ask the customer after.

An alert is raised in the same transaction that stores the low answer, so no acknowledged low
score goes without one. It is posted once the survey is over (or after a short wait for the
comment), to each staff destination once, and raised again once if nobody claims it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.broadcast import Destination, Failed, Sent, broadcast, destination_of, staff_language
from handlers.core.callbacks import alert_data
from handlers.core.context import Context
from handlers.core.events import MessageRef, Sender
from handlers.core.outbox import EventType
from handlers.core.ports import Channels, DeliveryFailed, Outbound
from handlers.core.replies import Ack, Option, Prompt
from handlers.followup.customer import TELL_CUSTOMER, ask_whether_sorted
from handlers.followup.events import alert_changed
from handlers.followup.rules import SETTLE, AlertRules
from handlers.i18n import N_, Lang, lang
from handlers.text.sentiment import TextVerdict
from storage.alerts import (
    AlertView,
    add_alert_post,
    alert_by_id,
    alert_ids,
    alert_of_request,
    alert_posts,
    alert_view,
    alerts_to_post,
    alerts_to_raise_again,
    pending_resolution,
    raise_alert,
)
from storage.models import Alert, AlertState, SurveyRequest

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
CLAIMED_BY = N_("Claimed by %(name)s.")
RESOLVED_BY = N_("Resolved by %(name)s: %(note)s")
NOT_HERE = N_("Alerts are claimed and resolved in the staff channel they were posted to.")
REASON_CSAT = "csat {}"
REASON_NPS = "nps {}"
REASON_COMMENT = "negative comment"


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
        opened = await raise_alert(session, request_id=request.id, reason=reason, now=self._context.clock())
        if opened:
            alert = await alert_of_request(session, request.id)
            assert alert is not None
            await alert_changed(self._context, session, EventType.ALERT_OPENED, alert.id)
        return opened

    async def has_alert(self, session: AsyncSession, request_id: int) -> bool:
        return bool(self.destinations) and await alert_of_request(session, request_id) is not None

    # -- posting to staff ---------------------------------------------------------------------

    async def run_once(self) -> tuple[int, int]:
        """Post alerts that are ready and raise unclaimed ones again; return how many of each were
        posted by this call (another replica, or the post right after the answer, may have done it)."""
        fresh = await self.post_ready()
        async with self._context.sessions() as session:
            stale = await alerts_to_raise_again(session, now=self._context.clock(), after=self.rules.reraise_after)
        raised = [await self._post(alert_id, again=True) for alert_id in stale]
        return fresh, sum(raised)

    async def post_ready(self) -> int:
        """Post the alerts whose survey is over (called right after a last answer, so staff see a
        low score within seconds) or whose comment wait has passed; return how many this call posted."""
        async with self._context.sessions() as session:
            fresh = await alerts_to_post(session, now=self._context.clock(), settle=SETTLE)
        return sum([await self._post(alert_id, again=False) for alert_id in fresh])

    async def _post(self, alert_id: int, *, again: bool) -> bool:
        """Post to every destination that has not had it; True if this call posted anywhere."""
        async with self._context.sessions() as session:
            view = await alert_view(session, alert_id)
        if view is None:
            return False

        async def post(destination: Destination, channel: Outbound) -> None:
            prompt = self.alert_prompt(view, lang(destination.language), again=again)
            message = await channel.ask(destination.chat_id, prompt)
            async with self._context.sessions() as session, session.begin():
                await add_alert_post(
                    session,
                    alert_id=alert_id,
                    platform=message.platform,
                    chat_id=message.chat_id,
                    message_id=message.message_id,
                )

        key = f"{'again' if again else 'alert'} {alert_id}"
        outcome = await broadcast(self._context, key, self.destinations, post)
        if all(isinstance(result, Failed) for result in outcome.values()):
            return False  # nowhere yet: the next run tries again
        async with self._context.sessions() as session, session.begin():
            alert = await alert_by_id(session, alert_id, for_update=True)
            assert alert is not None
            now = self._context.clock()
            if again:
                alert.raised_again_at = alert.raised_again_at or now
            else:
                alert.posted_at = alert.posted_at or now
        return Sent.NOW in outcome.values()

    def alert_prompt(self, view: AlertView, language: Lang, *, again: bool) -> Prompt:
        say = language.say
        lines = [say(AGAIN, hours=f"{self.rules.reraise_after.total_seconds() / 3600:g}")] if again else []
        lines.append(say(ALERT, id=view.alert.id, reasons=view.alert.reasons))
        if view.numbers:
            lines.append(say(SCORES, scores=", ".join(f"{q} {v}" for q, v in view.numbers.items())))
        lines += [say(COMMENT, text=text) for text in view.comments]
        lines.append(
            say(CONTEXT, touchpoint=view.touchpoint or "—", agent=view.agent or "—", language=view.language or "—")
        )
        lines.append(say(REACH, who=_reach(self._context.channels, view)))
        alert = view.alert
        if alert.state == AlertState.RESOLVED:
            lines.append(say(RESOLVED_BY, name=alert.resolver_name or "—", note=alert.note or "—"))
        elif alert.state == AlertState.CLAIMED:
            lines.append(say(CLAIMED_BY, name=alert.claimer_name or "—"))
        claim, resolve = language.gettext(CLAIM), language.gettext(RESOLVE)
        buttons = {
            AlertState.OPEN: (
                Option(claim, claim, alert_data("c", alert.id)),
                Option(resolve, resolve, alert_data("r", alert.id)),
            ),
            AlertState.CLAIMED: (Option(resolve, resolve, alert_data("r", alert.id)),),
        }
        options = buttons.get(AlertState(alert.state), ())
        return Prompt("\n".join(lines), options, rows=(len(options),) if options else (), rtl=language.rtl)

    def _staff_language(self, sender: Sender) -> Lang:
        return staff_language(self._context, self.destinations, sender)

    # -- staff presses and the note -------------------------------------------------------------

    async def press(self, sender: Sender, action: str, alert_id: int) -> Ack:
        language = self._staff_language(sender)
        if destination_of(self.destinations, sender) is None:  # crafted callback data in a private chat
            return Ack(language.gettext(NOT_HERE))
        staff, name = f"{sender.platform}:{sender.user_id}", (sender.name or sender.user_id)[:80]
        done = await (self.claim if action == "c" else self.start_resolving)(staff, name, alert_id)
        if done is Taken.UNKNOWN:
            return Ack(language.gettext(UNKNOWN_ALERT))
        if done is Taken.RESOLVED:
            return Ack(language.say(ALREADY_RESOLVED, id=alert_id))
        if done is Taken.CLAIMED:
            return Ack(language.say(ALREADY_CLAIMED, id=alert_id))
        if action == "c":
            return Ack(language.say(CLAIMED, id=alert_id), follow_up=lambda: self.show_state(alert_id))

        async def then() -> None:
            await self.show_state(alert_id)
            await self._ask_note(sender, alert_id, language)

        return Ack(language.gettext(NOTE_ASKED), follow_up=then)

    async def claim(self, staff: str, name: str, alert_id: int) -> Taken:
        """Claim for `staff` (shown as `name`): the chat's Claim button and the console's. One of
        two people pressing at once wins; the other gets `Taken.CLAIMED` (the alert names who)."""
        return await self._act(staff, name, alert_id)

    async def start_resolving(self, staff: str, name: str, alert_id: int) -> Taken:
        """The chat's Resolve: claims it if open and waits for `staff`'s note (`take_note`)."""

        async def wait_for_note(_session: AsyncSession, alert: Alert) -> None:
            alert.resolving_by, alert.resolver_name = staff, name

        return await self._act(staff, name, alert_id, wait_for_note)

    async def resolve(self, staff: str, name: str, alert_id: int, note: str) -> Taken:
        """The console's Resolve, note and all: claims it if open, resolves it, fires the events;
        then edit the chat posts and ask the customer (`after_resolving`)."""

        async def with_note(session: AsyncSession, alert: Alert) -> None:
            alert.resolving_by, alert.resolver_name = staff, name
            await self._resolved(session, alert, note)
            log.info("alert resolved", extra={"alert_id": alert_id})

        return await self._act(staff, name, alert_id, with_note)

    async def _act(
        self,
        staff: str,
        name: str,
        alert_id: int,
        then: Callable[[AsyncSession, Alert], Awaitable[None]] | None = None,
    ) -> Taken:
        """In one transaction with the alert's row locked: refuse if a colleague has it or it is
        resolved, claim it if open, then `then`."""
        async with self._context.sessions() as session, session.begin():
            alert = await alert_by_id(session, alert_id, for_update=True)
            refused = _refusal(alert, staff)
            if refused is not None or alert is None:
                return refused or Taken.UNKNOWN
            await self._claimed(session, alert, staff, name)
            if then is not None:
                await then(session, alert)
            return Taken.DONE

    async def listed(self, state: AlertState, *, agent: str | None, limit: int = 50) -> list[AlertView]:
        """For the console: the newest alerts in `state`, an agent's own only when `agent` is given."""
        async with self._context.reads() as session:
            views = [
                await alert_view(session, alert_id)
                for alert_id in await alert_ids(session, state=state, agent=agent, limit=limit)
            ]
        return [view for view in views if view is not None]

    async def one(self, alert_id: int) -> AlertView | None:
        async with self._context.reads() as session:
            return await alert_view(session, alert_id)

    async def after_resolving(self, alert_id: int) -> None:
        await self.show_state(alert_id)
        await ask_whether_sorted(self._context, alert_id)

    async def _claimed(self, session: AsyncSession, alert: Alert, staff: str, name: str) -> None:
        if alert.state != AlertState.OPEN:
            return
        alert.state, alert.claimed_by, alert.claimed_at = AlertState.CLAIMED, staff, self._context.clock()
        alert.claimer_name = name
        await alert_changed(self._context, session, EventType.ALERT_CLAIMED, alert.id)

    async def _resolved(self, session: AsyncSession, alert: Alert, note: str) -> None:
        alert.state, alert.note, alert.resolved_at = AlertState.RESOLVED, note.strip()[:2000], self._context.clock()
        alert.resolved_by, alert.resolving_by = alert.resolving_by, None
        await alert_changed(self._context, session, EventType.ALERT_RESOLVED, alert.id)

    async def show_state(self, alert_id: int) -> None:
        """Edit every post of the alert, so the whole channel sees who claimed or resolved it."""
        async with self._context.sessions() as session:
            view = await alert_view(session, alert_id)
            posts = await alert_posts(session, alert_id)
        if view is None:
            return
        languages = {(d.platform, d.chat_id): d.language for d in self.destinations}
        for post in posts:
            channel = self._context.channels.get(post.platform)
            if channel is None:
                continue
            prompt = self.alert_prompt(view, lang(languages.get((post.platform, post.chat_id), "en")), again=False)
            try:
                await channel.replace(MessageRef(post.platform, post.chat_id, post.message_id), prompt)
            except DeliveryFailed as failure:
                log.info("alert post not updated", extra={"alert_id": alert_id, "reason": failure.reason})

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
            alert_id = alert.id
            await self._resolved(session, alert, text)
        log.info("alert resolved", extra={"alert_id": alert_id})
        language = self._staff_language(sender)
        return Ack(language.say(RESOLVED, id=alert_id), follow_up=lambda: self.after_resolving(alert_id))

    # -- the customer -------------------------------------------------------------------------

    def tell_customer(self, language: Lang) -> str | None:
        """Said once the survey with a low score is over, not between its questions."""
        return language.gettext(TELL_CUSTOMER) if self.rules.tell_customer else None


class Taken(StrEnum):
    """What became of a press on Claim or Resolve."""

    DONE = "done"
    CLAIMED = "claimed"  # by someone else first
    RESOLVED = "resolved"  # already
    UNKNOWN = "unknown"  # no such alert


def _refusal(alert: Alert | None, staff: str) -> Taken | None:
    if alert is None:
        return Taken.UNKNOWN
    if alert.state == AlertState.RESOLVED:
        return Taken.RESOLVED
    if alert.state == AlertState.CLAIMED and alert.claimed_by != staff:
        return Taken.CLAIMED
    return None


def _reach(channels: Channels, view: AlertView) -> str:
    """A handle staff can use to contact the customer, as the customer's platform writes one."""
    channel = channels.get(view.platform)
    return channel.contact(view.user_id) if channel is not None else f"{view.platform} {view.user_id}"
