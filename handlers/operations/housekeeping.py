"""Daily upkeep and privacy: forgetting old deliveries, unlinking old free text, erasing a respondent."""

from __future__ import annotations

import logging
from datetime import timedelta

from handlers.core.context import Context
from storage.events import forget_events_before
from storage.privacy import Forgotten, forget, unlink_old_text
from storage.rollups import invalidate_rollups

__all__ = ["EVENT_RETENTION", "Forgotten", "forget_respondent", "prune_events", "unlink_text_older_than"]

log = logging.getLogger(__name__)

# No platform redelivers an event later than this.
EVENT_RETENTION = timedelta(days=14)


async def prune_events(context: Context) -> int:
    """Forget platform delivery ids older than two weeks."""
    async with context.sessions() as session, session.begin():
        return await forget_events_before(session, before=context.clock() - EVENT_RETENTION)


async def unlink_text_older_than(context: Context, days: int) -> int:
    """Retention: free-text answers older than `days` stop pointing at their authors."""
    async with context.sessions() as session, session.begin():
        unlinked = await unlink_old_text(session, before=context.clock() - timedelta(days=days))
    if unlinked:
        log.info("old free-text responses unlinked from respondents", extra={"responses": unlinked})
    return unlinked


async def forget_respondent(context: Context, *, platform: str, user_id: str, delete_answers: bool) -> Forgotten | None:
    """Erase one respondent's identity (or their answers too); None when nobody has that id."""
    async with context.sessions() as session, session.begin():
        result = await forget(session, platform=platform, user_id=user_id, delete_answers=delete_answers)
        if result is not None and result.deleted:
            await invalidate_rollups(session)  # counts of closed weeks included the deleted answers
    if result is not None:
        # The log line never repeats the erased identity.
        log.info("respondent forgotten", extra={"responses": result.responses, "deleted": result.deleted})
    return result
