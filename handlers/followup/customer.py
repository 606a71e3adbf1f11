"""The customer's side of the loop: told someone will get back to them, then asked whether it is sorted."""

from __future__ import annotations

import logging

from handlers.core.callbacks import check_data
from handlers.core.context import Context
from handlers.core.events import Sender
from handlers.core.outbox import EventType
from handlers.core.ports import DeliveryFailed
from handlers.core.replies import Ack, Option, Prompt
from handlers.followup.events import alert_changed
from handlers.i18n import N_
from storage.alerts import alert_by_id, alert_of_request, alert_view
from storage.respondents import get_respondent
from storage.survey_requests import request_by_token

log = logging.getLogger(__name__)

TELL_CUSTOMER = N_("We are sorry it did not go well. Someone from our team will get back to you.")
CHECK = N_("Our team has followed up on your feedback. Is it sorted now?")
YES, NO = N_("Yes, it is sorted"), N_("No, not yet")
CHECK_THANKS = N_("Thank you for letting us know.")
CHECK_SORRY = N_("Thank you. We are sorry it is not sorted yet; the team will see your answer.")


async def ask_whether_sorted(context: Context, alert_id: int) -> None:
    """After Resolve: "Is it sorted now?" with Yes / No, in the customer's language."""
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


async def record_check_answer(context: Context, sender: Sender, token: str, is_sorted: bool) -> Ack | None:
    """The customer's "Is it sorted now?"; None if the button is not theirs (reported as invalid)."""
    async with context.sessions() as session, session.begin():
        request = await request_by_token(session, token=token)
        respondent = await get_respondent(session, platform=sender.platform, user_id=sender.user_id)
        if request is None or respondent is None or request.respondent_id != respondent.id:
            return None
        alert = await alert_of_request(session, request.id, for_update=True)
        if alert is None or alert.check_sent_at is None:
            return None
        alert.sorted, alert.checked_at = is_sorted, context.clock()
        await alert_changed(context, session, EventType.FOLLOWUP_ANSWERED, alert.id)
    language = context.language_of(respondent, requested=request.language)
    return Ack(language.gettext(CHECK_THANKS if is_sorted else CHECK_SORRY))
