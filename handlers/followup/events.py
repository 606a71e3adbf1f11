"""Alert events for the webhook receivers, queued in the transaction that changed the alert."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import event_data
from handlers.core.context import Context
from handlers.core.outbox import EventType
from storage.alerts import alert_view


async def emit_alert_event(context: Context, session: AsyncSession, event_type: EventType, alert_id: int) -> None:
    if not context.outbox.enabled or (view := await alert_view(session, alert_id)) is None:
        return
    data = event_data.followup_answered(view) if event_type is EventType.FOLLOWUP_ANSWERED else event_data.alert(view)
    await context.outbox.emit(session, event_type, data, now=context.clock())
