"""A change to an alert, told to the operators' metrics and, queued in the transaction that made
it, to the webhook receivers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import event_data
from handlers.core.context import Context
from handlers.core.meter import Counted
from handlers.core.outbox import EventType
from storage.alerts import alert_view

_COUNTED = {EventType.ALERT_OPENED: "opened", EventType.ALERT_CLAIMED: "claimed", EventType.ALERT_RESOLVED: "resolved"}


async def alert_changed(context: Context, session: AsyncSession, event_type: EventType, alert_id: int) -> None:
    if event_type in _COUNTED:
        context.meter.count(Counted.ALERTS, event=_COUNTED[event_type])
    if not context.outbox.enabled or (view := await alert_view(session, alert_id)) is None:
        return
    data = event_data.followup_answered(view) if event_type is EventType.FOLLOWUP_ANSWERED else event_data.alert(view)
    await context.outbox.emit(session, event_type, data, now=context.clock())
